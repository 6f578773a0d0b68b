// The status of an ObservabilityPolicy, as a pure function of the cached world:
//   matchedWorkloads    workloads with at least one active Pod the selector matches;
//   workloadsSustained  those whose InstrumentedWorkload has Ready=True;
//   nodes               desired: nodes running a selected Pod; loaded: nodes whose
//                       NodeProbeState reports every probe of the policy Attached; failed:
//                       nodes where one of them is Failed or Unsupported; failing: up to 10
//                       failed nodes (by name) with the reason;
//   coverage            delivered / (delivered + dropped) over the selected Pods' reports;
//   Ready               True when the probes are attached on every desired node.
//
// Thread-safety: pure functions on values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/caches.h"
#include "limen/api/observability_policy.h"

namespace limen::op::obspol {

inline constexpr size_t kMaxFailingNodes = 10;

// One desired node's verdict for a policy's probes.
struct NodeVerdict {
  enum class State { kLoaded, kFailed, kPending } state = State::kPending;
  std::string reason;  // for kFailed and kPending
};
// `reported`: the node's NodeProbeState status.probes; nullptr when it has no NodeProbeState
// (or one that does not decode).
NodeVerdict JudgeNode(const std::vector<api::ProbeState>* reported,
                      const std::vector<std::string>& probes);

struct PolicyObservation {
  std::vector<WorkloadId> workloads;  // matched, sorted by key
  int64_t workloads_sustained = 0;
  std::vector<std::string> nodes;                             // desired, sorted
  std::vector<std::pair<std::string, NodeVerdict>> verdicts;  // per desired node
  int64_t delivered = 0, dropped = 0;
};

PolicyObservation Observe(const Caches& caches, const api::ObservabilityPolicy& policy,
                          const api::Selector& selector);

// "95.2%" from basis points (one decimal, rounded half up, as the readiness engine prints).
std::string FormatCoverage(int64_t basis_points);

// The next status (unknown fields of `current` kept). `invalid` is the validation error of
// the spec, if any: then only the Ready condition (False, InvalidSpec) changes.
api::ObservabilityPolicyStatus PlanStatus(const api::ObservabilityPolicyStatus& current,
                                          int64_t generation, const PolicyObservation& o,
                                          const std::optional<std::string>& invalid, api::Time now);

bool StatusChanged(const kube::Object& current, const api::ObservabilityPolicyStatus& next);

}  // namespace limen::op::obspol
