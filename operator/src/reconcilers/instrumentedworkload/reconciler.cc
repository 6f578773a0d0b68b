#include "reconcilers/instrumentedworkload/reconciler.h"

#include <set>

#include <spdlog/spdlog.h>

#include "limen/api/well_known.h"
#include "reconcilers/instrumentedworkload/status.h"

namespace limen::op::iwl {
namespace {

using kube::Outcome;
using kube::Result;

bool ManagedByLimen(const Object& obj) {
  return LabelsOf(obj)[std::string(api::kLabelManagedBy)] == api::kManagedByLimen;
}

std::string WorkloadRefUid(const Object& iwl) {
  auto spec = iwl.find("spec");
  if (spec == iwl.end() || !spec->is_object()) return "";
  auto ref = spec->find("workloadRef");
  if (ref == spec->end() || !ref->is_object()) return "";
  auto uid = ref->find("uid");
  return uid != ref->end() && uid->is_string() ? uid->get<std::string>() : "";
}

Status ToStatus(const kube::ApiError& e, const std::string& what) {
  return e.ToStatus().WithContext(what);
}

std::vector<readiness::PodSample> Fresh(const std::vector<readiness::PodSample>& samples,
                                        api::Time now, readiness::Duration interval) {
  std::vector<readiness::PodSample> out;
  for (const auto& s : samples) {
    if (s.reported_at >= now - 3 * interval) out.push_back(s);
  }
  return out;
}

}  // namespace

Reconciler::Reconciler(kube::Client& client, Caches caches, kube::EventRecorder& events,
                       kube::Clock& clock, WorkloadMetrics& metrics, Options options)
    : client_(client),
      caches_(std::move(caches)),
      events_(events),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)) {}

Outcome Reconciler::DeleteStale(const std::string& key, const ObjectPtr& existing,
                                const std::string& why) {
  const auto [ns, name] = kube::SplitKey(key);
  metrics_.Remove(ns, name);
  if (!existing || !ManagedByLimen(*existing) || BeingDeleted(*existing)) return Result{};
  kube::DeleteOptions opts;
  opts.precondition_uid = UidOf(*existing);
  opts.propagation_policy = "Background";
  auto r = client_.Delete(resources::kInstrumentedWorkloads, ns, name, opts);
  if (!r.ok() && !r.error().IsNotFound()) {
    return ToStatus(r.error(), "delete InstrumentedWorkload " + key);
  }
  spdlog::info("deleted InstrumentedWorkload {}: {}", key, why);
  return Result{};
}

Outcome Reconciler::Reconcile(const std::string& key) {
  auto id = ParseWorkloadKey(key);
  if (!id) return Result{};  // not a name Limen gives; nothing of ours
  const auto [ns, name] = kube::SplitKey(key);
  ObjectPtr existing = caches_.instrumented_workloads.Get(key);
  if (existing && !ManagedByLimen(*existing)) {
    spdlog::warn("InstrumentedWorkload {} is not managed by limen; leaving it alone", key);
    return Result{};
  }
  const std::optional<FoundWorkload> workload = FindWorkload(caches_, *id);
  if (!workload || workload->being_deleted) {
    return DeleteStale(key, existing, "workload is gone");
  }
  id->uid = workload->uid;
  const std::vector<PodSummaryPtr> pods = PodsOf(caches_, *id);
  const WorkloadObservation observation = Observe(caches_, *id, pods);
  if (!observation.Selected()) return DeleteStale(key, existing, "no policy selects it");
  if (existing && WorkloadRefUid(*existing) != id->uid) {
    // The workload was re-created under the same name; workloadRef is immutable.
    return DeleteStale(key, existing, "it belonged to an earlier workload of that name");
  }

  // The cached object is read in place; only a status write copies it.
  ObjectPtr current = existing;
  if (!current) {
    kube::RequestOptions opts;
    opts.field_manager = options_.field_manager;
    auto created =
        client_.Create(resources::kInstrumentedWorkloads, ns, NewInstrumentedWorkload(*id), opts);
    if (!created.ok()) return ToStatus(created.error(), "create InstrumentedWorkload " + key);
    current = std::make_shared<const Object>(std::move(*created));
    spdlog::info("created InstrumentedWorkload {}", key);
    events_.Event(kube::ReferenceTo(*current), kube::EventType::kNormal, "Created", "Create",
                  "tracking " + id->kind + " " + id->name);
  }

  auto decoded = api::Decode<api::InstrumentedWorkload>(*current);
  if (!decoded.ok()) {
    return kube::TerminalError(decoded.status().WithContext("decode InstrumentedWorkload " + key));
  }
  const api::Time now = clock_.Now();
  StatusPlan plan = PlanStatus(decoded->status, decoded->metadata.generation, observation, now,
                               options_.report_interval);
  static const Object kNoStatus;
  auto stored_status = current->find("status");
  if (StatusChanged(stored_status != current->end() ? *stored_status : kNoStatus, plan.status)) {
    Object updated = *current;
    updated["status"] = api::Encode(plan.status);
    kube::RequestOptions opts;
    opts.subresource = "status";
    opts.field_manager = options_.field_manager;
    auto written = client_.Update(resources::kInstrumentedWorkloads, ns, updated, opts);
    if (!written.ok()) return ToStatus(written.error(), "update status of " + key);
    if (plan.evaluation) {
      for (const auto& t : plan.evaluation->transitions) {
        const EventSpec e = TransitionEvent(t);
        events_.Event(kube::ReferenceTo(*written), e.type, e.reason, "Evaluate", e.note);
      }
    }
  }

  if (!plan.evaluation) {
    metrics_.Remove(ns, name);
    return Result{};
  }
  metrics_.Set(ns, name,
               MakeSnapshot(*plan.evaluation, *observation.thresholds,
                            Fresh(observation.samples, now, options_.report_interval)));
  Result result;
  if (plan.evaluation->requeue_after) {
    // A deadline that is due now still needs a look: requeue_after 0 would mean "done".
    result.requeue_after = std::max(*plan.evaluation->requeue_after,
                                    readiness::Duration(std::chrono::milliseconds(1)));
  }
  return result;
}

std::unique_ptr<kube::Controller> NewController(Reconciler& reconciler, int workers,
                                                prometheus::Registry& registry) {
  kube::ControllerOptions o;
  o.name = "instrumentedworkload";
  o.workers = workers;
  return std::make_unique<kube::Controller>(std::move(o), reconciler, registry);
}

std::vector<std::string> KeysForPod(const Caches& c, const PodSummary& pod) {
  auto owner = OwnerOf(c, pod);
  if (!owner) return {};
  return {WorkloadKey(*owner)};
}

std::vector<std::string> KeysForReplicaSet(const Object& rs) {
  return {WorkloadKey(ResolveReplicaSet(rs))};
}

std::vector<std::string> KeysForOwnerObject(const Object& workload, const std::string& kind) {
  return {WorkloadKey({NamespaceOf(workload), kind, NameOf(workload), ""})};
}

std::vector<std::string> KeysForNamespace(const Caches& c, const std::string& ns) {
  std::set<std::string> keys;
  for (const auto& pod : c.pod_index->InNamespace(ns)) {
    if (auto owner = OwnerOf(c, *pod)) keys.insert(WorkloadKey(*owner));
  }
  for (const auto& k : c.instrumented_workloads.IndexKeys(kube::kNamespaceIndex, ns)) {
    keys.insert(k);
  }
  return {keys.begin(), keys.end()};
}

std::vector<std::string> KeysForNodeReport(const Caches& c, const NodeReport& report) {
  std::set<std::string> keys;
  for (const auto& [uid, measurement] : report.pods) {
    const PodSummaryPtr pod = c.pod_index->ByUid(uid);
    if (!pod) continue;
    if (auto owner = OwnerOf(c, *pod)) keys.insert(WorkloadKey(*owner));
  }
  return {keys.begin(), keys.end()};
}

}  // namespace limen::op::iwl
