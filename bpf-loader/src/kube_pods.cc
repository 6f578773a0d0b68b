#include "limen/bpf/kube_pods.h"

#include <algorithm>
#include <map>

#include "limen/api/observability_policy.h"
#include "limen/api/selector.h"

namespace limen::bpf {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Member(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

api::Labels LabelsOf(const json& meta) {
  api::Labels out;
  const json& labels = Member(meta, "labels");
  if (!labels.is_object()) return out;
  for (const auto& [k, v] : labels.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

struct CompiledPolicy {
  std::string ns;
  api::Selector selector = api::Selector::Nothing();
  std::set<Probe> probes;
};

std::vector<CompiledPolicy> Compile(const std::vector<json>& policies,
                                    std::vector<std::string>& warnings) {
  std::vector<CompiledPolicy> out;
  for (const auto& obj : policies) {
    const json& meta = Member(obj, "metadata");
    std::string name = "policy " + Str(meta, "namespace") + "/" + Str(meta, "name");
    auto policy = api::Decode<api::ObservabilityPolicy>(obj);
    if (!policy.ok()) {
      warnings.push_back(name + ": " + policy.status().message());
      continue;
    }
    auto selector = api::ToSelector(policy->spec.selector);
    if (!selector.ok()) {
      warnings.push_back(name + ": spec.selector: " + selector.status().message());
      continue;
    }
    CompiledPolicy c{policy->metadata.namespace_, *selector, {}};
    for (const auto& p : policy->spec.probes) {
      if (auto probe = ProbeFromName(p)) {
        c.probes.insert(*probe);
      } else {
        warnings.push_back(name + ": spec.probes: unknown probe '" + p + "' ignored");
      }
    }
    if (c.probes.empty() || c.selector.IsNothing()) continue;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

PodSelection SelectPodTargets(const std::vector<json>& pods, const std::vector<json>& policies) {
  PodSelection out;
  std::vector<CompiledPolicy> compiled = Compile(policies, out.warnings);
  std::map<std::pair<std::string, std::string>, PodTarget> selected;
  for (const auto& pod : pods) {
    const json& meta = Member(pod, "metadata");
    const json& status = Member(pod, "status");
    std::string phase = Str(status, "phase");
    if (phase == "Succeeded" || phase == "Failed") continue;
    std::string ns = Str(meta, "namespace"), name = Str(meta, "name");
    if (ns.empty() || name.empty()) continue;
    api::Labels labels = LabelsOf(meta);
    std::set<Probe> probes;
    for (const auto& c : compiled) {
      if (c.ns == ns && c.selector.Matches(labels)) probes.insert(c.probes.begin(), c.probes.end());
    }
    if (probes.empty()) continue;
    PodTarget t{ns, name, Str(meta, "uid"), {}, probes};
    const json& statuses = Member(status, "containerStatuses");
    if (statuses.is_array()) {
      for (const auto& cs : statuses) {
        if (!cs.is_object() || Str(cs, "name").empty()) continue;
        t.containers.push_back(ContainerTarget{Str(cs, "name"), Str(cs, "containerID"), {}, {}});
      }
    }
    std::sort(t.containers.begin(), t.containers.end(),
              [](const ContainerTarget& a, const ContainerTarget& b) { return a.name < b.name; });
    selected[{ns, name}] = std::move(t);
  }
  for (auto& [key, t] : selected) out.pods.push_back(std::move(t));
  return out;
}

json ProjectPod(json pod) {
  if (!pod.is_object()) return pod;
  json out = json::object();
  for (const char* k : {"apiVersion", "kind"}) {
    if (pod.contains(k)) out[k] = pod[k];
  }
  const json& meta = Member(pod, "metadata");
  json m = json::object();
  for (const char* k : {"name", "namespace", "uid", "labels", "resourceVersion"}) {
    if (meta.is_object() && meta.contains(k)) m[k] = meta[k];
  }
  out["metadata"] = std::move(m);
  const json& node = Member(Member(pod, "spec"), "nodeName");
  if (node.is_string()) out["spec"] = {{"nodeName", node}};
  const json& status = Member(pod, "status");
  json s = json::object();
  if (Member(status, "phase").is_string()) s["phase"] = status["phase"];
  const json& statuses = Member(status, "containerStatuses");
  if (statuses.is_array()) {
    json list = json::array();
    for (const auto& cs : statuses) {
      json c = json::object();
      for (const char* k : {"name", "containerID"}) {
        if (cs.is_object() && cs.contains(k)) c[k] = cs[k];
      }
      list.push_back(std::move(c));
    }
    s["containerStatuses"] = std::move(list);
  }
  out["status"] = std::move(s);
  return out;
}

}  // namespace limen::bpf
