// Caches: the informer stores limen-operator's reconcilers read, and the queries over them
// that several reconcilers share (a workload's Pods, the policies selecting them, a Pod's
// samples in its node's NodeProbeState).
//
// Reconcilers never list from the apiserver: they read these caches and write only what
// changed. The ReplicaSet store carries the controller-uid index declared in workload.h.
// Pods, ReplicaSets and NodeProbeStates are also kept typed beside their stores (PodIndex,
// ReplicaSetIndex, NodeReports): the scans over a namespace's Pods and the per-Pod
// measurement lookups read those and decode nothing, so the stores can hold their objects
// encoded (docs/operator.md, "Caches").
//
// Thread-safety: Stores and the indexes are safe for concurrent readers; the functions are
// reads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/pod_index.h"
#include "common/workload.h"
#include "limen/api/node_probe_state.h"
#include "limen/api/observability_policy.h"
#include "limen/api/resilience_policy.h"
#include "limen/kube/store.h"

namespace limen::op {

// The limen.dev collections (their CRDs are in crds/).
namespace resources {
inline const kube::Resource kObservabilityPolicies{"limen.dev", "v1alpha1", "observabilitypolicies",
                                                   "ObservabilityPolicy", true};
inline const kube::Resource kResiliencePolicies{"limen.dev", "v1alpha1", "resiliencepolicies",
                                                "ResiliencePolicy", true};
inline const kube::Resource kWasmFilters{"limen.dev", "v1alpha1", "wasmfilters", "WasmFilter",
                                         true};
inline const kube::Resource kInstrumentedWorkloads{"limen.dev", "v1alpha1", "instrumentedworkloads",
                                                   "InstrumentedWorkload", true};
inline const kube::Resource kNodeProbeStates{"limen.dev", "v1alpha1", "nodeprobestates",
                                             "NodeProbeState", false};
}  // namespace resources

// One NodeProbeState as the reconcilers read it, decoded once per version.
struct NodeReport {
  // A Pod's measurement: the fields the reconcilers use.
  struct Pod {
    int64_t startup_nanos = 0;
    int64_t rss_bytes = 0;
    int64_t delivered = 0;
    int64_t dropped = 0;
    friend bool operator==(const Pod&, const Pod&) = default;
  };
  // status.pods by uid. The first entry of a uid wins (as a search in list order would find
  // it); nullopt when that entry does not decode as a PodMeasurement.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::optional<Pod>, Hash, std::equal_to<>> pods;
  std::optional<api::Time> reported_at;  // status.reportedAt, when it parses
  // status.probes, set only when the whole object decodes as a NodeProbeState.
  std::optional<std::vector<api::ProbeState>> probes;

  // Equal reports: nothing the operator reads of the NodeProbeState changed.
  friend bool operator==(const NodeReport&, const NodeReport&) = default;
};
NodeReport DecodeNodeReport(const Object& nps);

// What one write did to NodeReports: the node's report before and after.
using NodeReportChange = Change<NodeReport>;

// The decoded NodeProbeStates by node, written by the NodeProbeState informer's handlers
// (Upsert on add and update, Remove on delete): a reconcile looks a Pod's entry up by uid
// without decoding anything, and the informer's store keeps its objects encoded and without
// status.pods (RetainNodeProbeState), which only this holds. The writes say what changed,
// old reports included, for the handlers that enqueue the affected workloads.
//
// Thread-safety: safe for concurrent use; Upsert decodes outside the lock.
class NodeReports {
 public:
  NodeReportChange Upsert(const Object& nps);  // keyed by metadata.name
  NodeReportChange Remove(const Object& nps);  // Forget(metadata.name)
  NodeReportChange Forget(const std::string& node);
  std::shared_ptr<const NodeReport> Get(const std::string& node) const;  // nullptr: none
  size_t Size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const NodeReport>> reports_;  // guarded by mu_
};

struct Caches {
  // No Pod store: Pods are read from pod_index (the Pod informer's store keeps only keys and
  // resourceVersions, app/wiring.cc).
  const kube::Store& replicasets;
  const kube::Store& deployments;
  const kube::Store& statefulsets;
  const kube::Store& daemonsets;
  const kube::Store& observability_policies;
  const kube::Store& resilience_policies;
  const kube::Store& instrumented_workloads;
  const kube::Store& node_probe_states;
  // What the scans read instead of decoding the stores' objects (kept by the informers'
  // handlers, see pod_index.h); copies of a Caches share them.
  std::shared_ptr<const NodeReports> node_reports = std::make_shared<NodeReports>();
  std::shared_ptr<const PodIndex> pod_index = std::make_shared<PodIndex>();
  std::shared_ptr<const ReplicaSetIndex> replicaset_index = std::make_shared<ReplicaSetIndex>();
};

// A workload as a reconcile reads it.
struct FoundWorkload {
  std::string uid;
  bool being_deleted = false;  // metadata.deletionTimestamp is set
};
// The workload of an id (by namespace/name, checking the uid when the id has one): from its
// kind's store, or for a bare Pod from the PodIndex.
std::optional<FoundWorkload> FindWorkload(const Caches& c, const WorkloadId& id);
// Resolves a Pod's workload with the ReplicaSet index.
std::optional<WorkloadId> OwnerOf(const Caches& c, const PodSummary& pod);
// The workload's active Pods (see IsActivePod), sorted by name.
std::vector<PodSummaryPtr> PodsOf(const Caches& c, const WorkloadId& id);

// A decoded policy that passed validation, with its evaluable selector.
struct ObsPolicy {
  api::ObservabilityPolicy policy;  // defaults applied
  api::Selector selector;
};
struct ResPolicy {
  api::ResiliencePolicy policy;
  api::Selector selector;
};
// The valid policies of a namespace, sorted by name. Invalid ones are skipped: their own
// reconciler reports them.
std::vector<ObsPolicy> ObservabilityPoliciesIn(const Caches& c, const std::string& ns);
std::vector<ResPolicy> ResiliencePoliciesIn(const Caches& c, const std::string& ns);

// What a ResiliencePolicy named `policy` with `selector` reaches in namespace `ns`: the
// workloads with at least one active Pod it selects (as ObservabilityPolicy's
// matchedWorkloads), and the selected active Pods whose limen.dev/injected names
// "<policy>@<hash>" (none when `hash` is empty: the policy has not been rendered).
struct PolicyReach {
  int64_t matched_workloads = 0;
  int64_t injected_pods = 0;
  friend bool operator==(const PolicyReach&, const PolicyReach&) = default;
};
PolicyReach ReachOf(const Caches& c, const std::string& ns, const api::Selector& selector,
                    const std::string& policy, const std::string& hash);

// Whether `selector` selects any of `pods`.
bool SelectsAny(const api::Selector& selector, const std::vector<PodSummaryPtr>& pods);

// A Pod's entry in its node's NodeProbeState, with that state's reportedAt.
struct PodReport {
  NodeReport::Pod measurement;
  std::optional<api::Time> reported_at;
};
std::optional<PodReport> ReportFor(const Caches& c, const PodSummary& pod);
// The same from the Pod's node's report (nullptr: no NodeProbeState), for callers that
// visit many Pods of one node.
std::optional<PodReport> ReportIn(const NodeReport* report, const PodSummary& pod);

std::string NameOf(const Object& obj);
std::string NamespaceOf(const Object& obj);
std::string UidOf(const Object& obj);
bool BeingDeleted(const Object& obj);  // metadata.deletionTimestamp is set

}  // namespace limen::op
