#include "builders.h"

#include "common/transform.h"

namespace limen::op::testing {

using kube::Object;

Object Pod(const std::string& ns, const std::string& name, const std::string& uid,
           std::map<std::string, std::string> labels, std::optional<Owner> owner,
           const std::string& node, const std::map<std::string, std::string>& annotations) {
  Object pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"namespace", ns}, {"name", name}, {"uid", uid}, {"labels", labels}}},
                {"status", {{"phase", "Running"}}}};
  if (!annotations.empty()) pod["metadata"]["annotations"] = annotations;
  if (owner) {
    pod["metadata"]["ownerReferences"] = Object::array({{{"apiVersion", "apps/v1"},
                                                         {"kind", owner->kind},
                                                         {"name", owner->name},
                                                         {"uid", owner->uid},
                                                         {"controller", true}}});
  }
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  return pod;
}

Object Workload(const std::string& kind, const std::string& ns, const std::string& name,
                const std::string& uid, std::optional<Owner> owner) {
  Object w = {{"apiVersion", "apps/v1"},
              {"kind", kind},
              {"metadata", {{"namespace", ns}, {"name", name}, {"uid", uid}}}};
  if (owner) {
    w["metadata"]["ownerReferences"] = Object::array({{{"apiVersion", "apps/v1"},
                                                       {"kind", owner->kind},
                                                       {"name", owner->name},
                                                       {"uid", owner->uid},
                                                       {"controller", true}}});
  }
  return w;
}

Object ObsPolicy(const std::string& ns, const std::string& name,
                 std::map<std::string, std::string> match_labels, std::vector<std::string> probes,
                 Object readiness) {
  return {
      {"apiVersion", "limen.dev/v1alpha1"},
      {"kind", "ObservabilityPolicy"},
      {"metadata", {{"namespace", ns}, {"name", name}, {"uid", "uid-" + name}, {"generation", 1}}},
      {"spec",
       {{"selector", {{"matchLabels", match_labels}}},
        {"probes", probes},
        {"readiness", readiness}}}};
}

Object ResPolicy(const std::string& ns, const std::string& name,
                 std::map<std::string, std::string> match_labels, const std::string& hash) {
  Object p = {{"apiVersion", "limen.dev/v1alpha1"},
              {"kind", "ResiliencePolicy"},
              {"metadata", {{"namespace", ns}, {"name", name}, {"uid", "uid-" + name}}},
              {"spec", {{"selector", {{"matchLabels", match_labels}}}}}};
  if (!hash.empty()) {
    p["status"]["renderedConfig"] = {{"name", "limen-" + name + "-sidecar"}, {"hash", hash}};
  }
  return p;
}

Object Nps(const std::string& node, const std::string& reported_at,
           const std::vector<PodEntry>& pods,
           const std::map<std::string, std::string>& probe_states) {
  Object list = Object::array();
  for (const auto& p : pods) {
    list.push_back({{"namespace", p.ns},
                    {"name", p.name},
                    {"uid", p.uid},
                    {"startupNanos", p.startup_nanos},
                    {"rssBytes", p.rss_bytes},
                    {"events",
                     {{"hits", p.delivered + p.dropped},
                      {"delivered", p.delivered},
                      {"dropped", p.dropped}}}});
  }
  Object probes = Object::array();
  for (const auto& [name, state] : probe_states) {
    Object probe = {{"name", name}, {"state", state}};
    if (state == "Failed") probe["error"] = "attach failed";
    probes.push_back(probe);
  }
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "NodeProbeState"},
          {"metadata", {{"name", node}, {"uid", "uid-" + node}}},
          {"status",
           {{"pods", list},
            {"probes", probes},
            {"podCount", pods.size()},
            {"reportedAt", reported_at}}}};
}

Stores::Stores() : replicasets({{kIndexControllerUid, IndexByControllerUid}}) {}

Caches Stores::caches() const {
  return Caches{replicasets, deployments, statefulsets, daemonsets, obspols,         respols,
                iwls,        nps,         node_reports, pod_index,  replicaset_index};
}

namespace {

kube::Store* StoreOf(Stores& s, const std::string& kind) {
  return kind == "Pod"                    ? &s.pods
         : kind == "ReplicaSet"           ? &s.replicasets
         : kind == "Deployment"           ? &s.deployments
         : kind == "StatefulSet"          ? &s.statefulsets
         : kind == "DaemonSet"            ? &s.daemonsets
         : kind == "ObservabilityPolicy"  ? &s.obspols
         : kind == "ResiliencePolicy"     ? &s.respols
         : kind == "InstrumentedWorkload" ? &s.iwls
                                          : &s.nps;
}

}  // namespace

void Stores::Add(const Object& obj) {
  const std::string kind = obj.value("kind", "");
  Object stored = kind == "Pod" ? ProjectPod(obj) : obj;
  const std::string key = kube::ObjectKey(stored);
  auto ptr = std::make_shared<const Object>(std::move(stored));
  StoreOf(*this, kind)->Upsert(key, ptr);
  if (kind == "Pod") pod_index->Upsert(*ptr);
  if (kind == "ReplicaSet") replicaset_index->Upsert(*ptr);
  if (kind == "NodeProbeState") node_reports->Upsert(*ptr);
}

void Stores::Remove(const std::string& kind, const std::string& key) {
  ObjectPtr last = StoreOf(*this, kind)->Remove(key);
  if (!last) return;
  if (kind == "Pod") pod_index->Remove(*last);
  if (kind == "ReplicaSet") replicaset_index->Remove(*last);
  if (kind == "NodeProbeState") node_reports->Remove(*last);
}

}  // namespace limen::op::testing
