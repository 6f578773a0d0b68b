#include "common/caches.h"

#include <algorithm>
#include <set>

namespace limen::op {
namespace {

std::string MetaString(const Object& obj, const char* key) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string NameOf(const Object& obj) { return MetaString(obj, "name"); }
std::string NamespaceOf(const Object& obj) { return MetaString(obj, "namespace"); }
std::string UidOf(const Object& obj) { return MetaString(obj, "uid"); }
std::string NodeOf(const Object& pod) {
  auto nodes = IndexByNode(pod);
  return nodes.empty() ? "" : nodes.front();
}

ObjectPtr FindWorkload(const Caches& c, const WorkloadId& id) {
  const kube::Store* store = id.kind == "Deployment"    ? &c.deployments
                             : id.kind == "StatefulSet" ? &c.statefulsets
                             : id.kind == "DaemonSet"   ? &c.daemonsets
                             : id.kind == "ReplicaSet"  ? &c.replicasets
                             : id.kind == "Pod"         ? &c.pods
                                                        : nullptr;
  if (!store) return nullptr;
  ObjectPtr obj = store->Get(id.ns + "/" + id.name);
  if (!obj || (!id.uid.empty() && UidOf(*obj) != id.uid)) return nullptr;
  return obj;
}

std::optional<WorkloadId> OwnerOf(const Caches& c, const Object& pod) {
  return ResolveOwner(pod, [&c](const std::string& key) { return c.replicasets.Get(key); });
}

std::vector<ObjectPtr> PodsOf(const Caches& c, const WorkloadId& id) {
  std::vector<ObjectPtr> out;
  auto add_active = [&out](std::vector<ObjectPtr> pods) {
    for (auto& p : pods) {
      if (IsActivePod(*p)) out.push_back(std::move(p));
    }
  };
  if (id.kind == "Pod") {
    ObjectPtr pod = c.pods.Get(id.ns + "/" + id.name);
    if (pod && (id.uid.empty() || UidOf(*pod) == id.uid) && ControllerUid(*pod).empty() &&
        IsActivePod(*pod)) {
      out.push_back(pod);
    }
    return out;
  }
  if (id.uid.empty()) return out;
  if (id.kind == "Deployment") {
    for (const auto& rs : c.replicasets.ByIndex(kIndexControllerUid, id.uid)) {
      add_active(c.pods.ByIndex(kIndexControllerUid, UidOf(*rs)));
    }
  } else {
    add_active(c.pods.ByIndex(kIndexControllerUid, id.uid));
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return NameOf(*a) < NameOf(*b); });
  return out;
}

std::vector<ObsPolicy> ObservabilityPoliciesIn(const Caches& c, const std::string& ns) {
  std::vector<ObsPolicy> out;
  for (const auto& obj : c.observability_policies.ByIndex(kube::kNamespaceIndex, ns)) {
    auto policy = api::Decode<api::ObservabilityPolicy>(*obj);
    if (!policy.ok()) continue;
    api::SetDefaults(*policy);
    auto selector = api::ToSelector(policy->spec.selector);
    if (!selector.ok() || !api::ResolveReadiness(policy->spec.readiness).ok()) continue;
    out.push_back({std::move(*policy), std::move(*selector)});
  }
  std::sort(out.begin(), out.end(), [](const ObsPolicy& a, const ObsPolicy& b) {
    return a.policy.metadata.name < b.policy.metadata.name;
  });
  return out;
}

std::vector<ResPolicy> ResiliencePoliciesIn(const Caches& c, const std::string& ns) {
  std::vector<ResPolicy> out;
  for (const auto& obj : c.resilience_policies.ByIndex(kube::kNamespaceIndex, ns)) {
    auto policy = api::Decode<api::ResiliencePolicy>(*obj);
    if (!policy.ok()) continue;
    auto selector = api::ToSelector(policy->spec.selector);
    if (!selector.ok()) continue;
    out.push_back({std::move(*policy), std::move(*selector)});
  }
  std::sort(out.begin(), out.end(), [](const ResPolicy& a, const ResPolicy& b) {
    return a.policy.metadata.name < b.policy.metadata.name;
  });
  return out;
}

PolicyReach ReachOf(const Caches& c, const std::string& ns, const api::Selector& selector,
                    const std::string& policy, const std::string& hash) {
  PolicyReach reach;
  std::set<std::string> workloads;
  const std::vector<InjectedEntry> current = {{policy, hash}};
  for (const auto& pod : c.pods.ByIndex(kube::kNamespaceIndex, ns)) {
    if (!IsActivePod(*pod) || !selector.Matches(LabelsOf(*pod))) continue;
    if (auto owner = OwnerOf(c, *pod)) workloads.insert(WorkloadKey(*owner));
    if (!hash.empty() && IsInjected(*pod, current)) ++reach.injected_pods;
  }
  reach.matched_workloads = static_cast<int64_t>(workloads.size());
  return reach;
}

bool SelectsAny(const api::Selector& selector, const std::vector<ObjectPtr>& pods) {
  for (const auto& pod : pods) {
    if (selector.Matches(LabelsOf(*pod))) return true;
  }
  return false;
}

std::optional<PodReport> ReportFor(const Caches& c, const Object& pod) {
  const std::string node = NodeOf(pod);
  if (node.empty()) return std::nullopt;
  ObjectPtr nps = c.node_probe_states.Get(node);
  if (!nps) return std::nullopt;
  // Decode only the pods list and reportedAt: a NodeProbeState holds every pod of its node.
  auto status = nps->find("status");
  if (status == nps->end() || !status->is_object()) return std::nullopt;
  auto pods = status->find("pods");
  if (pods == status->end() || !pods->is_array()) return std::nullopt;
  const std::string uid = UidOf(pod);
  for (const auto& entry : *pods) {
    auto u = entry.find("uid");
    if (u == entry.end() || !u->is_string() || u->get<std::string>() != uid) continue;
    auto m = api::Decode<api::PodMeasurement>(entry);
    if (!m.ok()) return std::nullopt;
    PodReport report{std::move(*m), std::nullopt};
    auto at = status->find("reportedAt");
    if (at != status->end() && at->is_string()) {
      auto t = api::ParseTime(at->get<std::string>());
      if (t.ok()) report.reported_at = *t;
    }
    return report;
  }
  return std::nullopt;
}

}  // namespace limen::op
