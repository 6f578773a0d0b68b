// Caches: the informer stores limen-operator's reconcilers read, and the queries over them
// that several reconcilers share (a workload's Pods, the policies selecting them, a Pod's
// samples in its node's NodeProbeState).
//
// Reconcilers never list from the apiserver: they read these caches and write only what
// changed. The stores carry the indexes declared in workload.h (controller-uid, node, uid).
//
// Thread-safety: Stores are safe for concurrent readers; the functions are pure reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

struct Caches {
  const kube::Store& pods;
  const kube::Store& replicasets;
  const kube::Store& deployments;
  const kube::Store& statefulsets;
  const kube::Store& daemonsets;
  const kube::Store& observability_policies;
  const kube::Store& resilience_policies;
  const kube::Store& instrumented_workloads;
  const kube::Store& node_probe_states;
};

// The workload object of an id (by namespace/name, checking the uid when the id has one).
ObjectPtr FindWorkload(const Caches& c, const WorkloadId& id);
// Resolves a Pod's workload with the ReplicaSet cache.
std::optional<WorkloadId> OwnerOf(const Caches& c, const Object& pod);
// The workload's active Pods (see IsActivePod).
std::vector<ObjectPtr> PodsOf(const Caches& c, const WorkloadId& id);

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
bool SelectsAny(const api::Selector& selector, const std::vector<ObjectPtr>& pods);

// A Pod's entry in its node's NodeProbeState, with that state's reportedAt.
struct PodReport {
  api::PodMeasurement measurement;
  std::optional<api::Time> reported_at;
};
std::optional<PodReport> ReportFor(const Caches& c, const Object& pod);

std::string NameOf(const Object& obj);
std::string NamespaceOf(const Object& obj);
std::string UidOf(const Object& obj);
std::string NodeOf(const Object& pod);

}  // namespace limen::op
