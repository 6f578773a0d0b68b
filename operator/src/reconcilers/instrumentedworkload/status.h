// What an InstrumentedWorkload should look like, as pure functions of the cached world:
// the object to create for a workload, the observation of its Pods and policies, and the
// status that follows from them (through the readiness engine).
//
// Flow of one reconcile: Observe (caches → WorkloadObservation) → PlanStatus (observation +
// current status + now → next status and the engine's evaluation) → StatusChanged (write
// only when the encoded status differs: an unchanged status is never rewritten, so our own
// status writes cannot start a loop).
//
// Thread-safety: pure functions on values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/caches.h"
#include "limen/api/instrumented_workload.h"
#include "limen/kube/event_recorder.h"
#include "limen/readiness/engine.h"

namespace limen::op::iwl {

// The object to create for a workload: name InstrumentedWorkloadName, label managed-by
// limen, spec.workloadRef, and an ownerReference (controller, blockOwnerDeletion) so that
// garbage collection deletes it with the workload.
Object NewInstrumentedWorkload(const WorkloadId& id);

// What the caches say about one workload.
struct WorkloadObservation {
  std::vector<api::PolicyRef> policies;  // ObservabilityPolicies, then ResiliencePolicies; by name
  api::PodCounts pods;
  std::vector<readiness::PodSample> samples;  // one per Pod its node agent reports
  // The thresholds of the first selecting ObservabilityPolicy (by name); nullopt when only
  // ResiliencePolicies select the workload: then there is nothing to measure against.
  std::optional<api::ReadinessThresholds> thresholds;
  std::string thresholds_from;  // that policy's name
  bool Selected() const { return !policies.empty(); }
};

WorkloadObservation Observe(const Caches& caches, const WorkloadId& id,
                            const std::vector<PodSummaryPtr>& pods);

struct StatusPlan {
  api::InstrumentedWorkloadStatus status;
  std::optional<readiness::Evaluation> evaluation;  // set when thresholds apply
};

// The next status. Fields Limen does not model are kept from `current` (see codec.h).
// measurements.sampledAt is the newest fresh report, not `now`, so that re-evaluating
// unchanged data yields an identical status.
StatusPlan PlanStatus(const api::InstrumentedWorkloadStatus& current, int64_t generation,
                      const WorkloadObservation& observation, api::Time now,
                      readiness::Duration report_interval);

// Whether writing `next` would change the stored status `current` (JSON, may be null).
bool StatusChanged(const Object& current, const api::InstrumentedWorkloadStatus& next);

// The Event for a readiness transition: reason in CamelCase (StartupMet, MemoryNotMet,
// CoverageUnknown, ThresholdsMet, ThresholdsNotMet, Sustained, NotSustained, …); Warning
// when something that held stops holding.
struct EventSpec {
  kube::EventType type = kube::EventType::kNormal;
  std::string reason;
  std::string note;
};
EventSpec TransitionEvent(const readiness::Transition& t);

}  // namespace limen::op::iwl
