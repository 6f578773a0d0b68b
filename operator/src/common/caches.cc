#include "common/caches.h"

#include <algorithm>
#include <set>
#include <utility>

namespace limen::op {
namespace {

const std::string* MetaStringRef(const Object& obj, const char* key) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return nullptr;
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::string MetaString(const Object& obj, const char* key) {
  const std::string* s = MetaStringRef(obj, key);
  return s ? *s : "";
}

}  // namespace

std::string NameOf(const Object& obj) { return MetaString(obj, "name"); }
std::string NamespaceOf(const Object& obj) { return MetaString(obj, "namespace"); }
std::string UidOf(const Object& obj) { return MetaString(obj, "uid"); }
bool BeingDeleted(const Object& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return false;
  auto ts = meta->find("deletionTimestamp");
  return ts != meta->end() && !ts->is_null();
}

std::optional<FoundWorkload> FindWorkload(const Caches& c, const WorkloadId& id) {
  if (id.kind == "Pod") {
    const PodSummaryPtr pod = c.pod_index->Get(id.ns, id.name);
    if (!pod || (!id.uid.empty() && pod->uid() != id.uid)) return std::nullopt;
    return FoundWorkload{std::string(pod->uid()), pod->being_deleted()};
  }
  const kube::Store* store = id.kind == "Deployment"    ? &c.deployments
                             : id.kind == "StatefulSet" ? &c.statefulsets
                             : id.kind == "DaemonSet"   ? &c.daemonsets
                             : id.kind == "ReplicaSet"  ? &c.replicasets
                                                        : nullptr;
  if (!store) return std::nullopt;
  ObjectPtr obj = store->Get(id.ns + "/" + id.name);
  if (!obj || (!id.uid.empty() && UidOf(*obj) != id.uid)) return std::nullopt;
  return FoundWorkload{UidOf(*obj), BeingDeleted(*obj)};
}

std::optional<WorkloadId> OwnerOf(const Caches& c, const PodSummary& pod) {
  return ResolveOwnerOf(pod, [&c](const std::string& key) { return c.replicaset_index->Get(key); });
}

std::vector<PodSummaryPtr> PodsOf(const Caches& c, const WorkloadId& id) {
  std::vector<PodSummaryPtr> out;
  auto add_active = [&out](const std::vector<PodSummaryPtr>& pods) {
    for (const auto& p : pods) {
      if (p->active()) out.push_back(p);
    }
  };
  if (id.kind == "Pod") {
    PodSummaryPtr pod = c.pod_index->Get(id.ns, id.name);
    if (pod && (id.uid.empty() || pod->uid() == id.uid) && !pod->has_controller() &&
        pod->active()) {
      out.push_back(pod);
    }
    return out;
  }
  if (id.uid.empty()) return out;
  if (id.kind == "Deployment") {
    for (const auto& key : c.replicasets.IndexKeys(kIndexControllerUid, id.uid)) {
      if (auto rs = c.replicaset_index->Get(key)) add_active(c.pod_index->ByController(rs->uid));
    }
  } else {
    add_active(c.pod_index->ByController(id.uid));
  }
  std::sort(out.begin(), out.end(),
            [](const PodSummaryPtr& a, const PodSummaryPtr& b) { return a->name() < b->name(); });
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
  for (const auto& pod : c.pod_index->InNamespace(ns)) {
    if (!pod->active() || !selector.Matches(pod->Labels())) continue;
    if (auto owner = OwnerOf(c, *pod)) workloads.insert(WorkloadKey(*owner));
    if (!hash.empty() && IsInjectedAnnotation(pod->injected(), current)) ++reach.injected_pods;
  }
  reach.matched_workloads = static_cast<int64_t>(workloads.size());
  return reach;
}

bool SelectsAny(const api::Selector& selector, const std::vector<PodSummaryPtr>& pods) {
  for (const auto& pod : pods) {
    if (selector.Matches(pod->Labels())) return true;
  }
  return false;
}

NodeReport DecodeNodeReport(const Object& nps) {
  NodeReport r;
  if (auto full = api::Decode<api::NodeProbeState>(nps); full.ok()) {
    r.probes = std::move(full->status.probes);
  }
  auto status = nps.find("status");
  if (status == nps.end() || !status->is_object()) return r;
  auto at = status->find("reportedAt");
  if (at != status->end() && at->is_string()) {
    auto t = api::ParseTime(at->get<std::string>());
    if (t.ok()) r.reported_at = *t;
  }
  auto pods = status->find("pods");
  if (pods == status->end() || !pods->is_array()) return r;
  r.pods.reserve(pods->size());
  for (const auto& entry : *pods) {
    auto u = entry.find("uid");
    if (u == entry.end() || !u->is_string()) continue;
    const std::string& uid = u->get_ref<const std::string&>();
    if (r.pods.contains(uid)) continue;
    auto m = api::Decode<api::PodMeasurement>(entry);
    r.pods.emplace(
        uid, m.ok() ? std::optional<NodeReport::Pod>(NodeReport::Pod{
                          m->startup_nanos, m->rss_bytes, m->events.delivered, m->events.dropped})
                    : std::nullopt);
  }
  return r;
}

NodeReportChange NodeReports::Upsert(const Object& nps) {
  const std::string node = NameOf(nps);
  NodeReportChange change{nullptr, std::make_shared<const NodeReport>(DecodeNodeReport(nps))};
  std::lock_guard lock(mu_);
  auto& slot = reports_[node];
  change.before = std::exchange(slot, change.after);
  return change;
}

NodeReportChange NodeReports::Remove(const Object& nps) { return Forget(NameOf(nps)); }

NodeReportChange NodeReports::Forget(const std::string& node) {
  std::lock_guard lock(mu_);
  auto it = reports_.find(node);
  if (it == reports_.end()) return {};
  NodeReportChange change{std::move(it->second), nullptr};
  reports_.erase(it);
  return change;
}

std::shared_ptr<const NodeReport> NodeReports::Get(const std::string& node) const {
  std::lock_guard lock(mu_);
  auto it = reports_.find(node);
  return it == reports_.end() ? nullptr : it->second;
}

size_t NodeReports::Size() const {
  std::lock_guard lock(mu_);
  return reports_.size();
}

std::optional<PodReport> ReportIn(const NodeReport* report, const PodSummary& pod) {
  if (!report) return std::nullopt;
  auto it = report->pods.find(pod.uid());
  if (it == report->pods.end() || !it->second) return std::nullopt;
  return PodReport{*it->second, report->reported_at};
}

std::optional<PodReport> ReportFor(const Caches& c, const PodSummary& pod) {
  if (pod.node().empty()) return std::nullopt;
  return ReportIn(c.node_reports->Get(std::string(pod.node())).get(), pod);
}

}  // namespace limen::op
