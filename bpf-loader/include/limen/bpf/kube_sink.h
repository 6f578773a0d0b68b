// NodeProbeStateWriter: the Kubernetes StateSink. It writes this node's NodeProbeState
// (cluster-scoped, name = node name) from the agent's reports:
//   - creates the object when it is missing (labelled app.kubernetes.io/managed-by=limen,
//     owned by the Node object when the loader can read it, so deleting the Node deletes
//     it) — without status, since the apiserver drops status on create;
//   - then writes `status` through the /status subresource as a JSON merge patch (lists
//     such as pods[] are replaced whole, so a pod that left the node leaves the status);
//   - at a bounded rate, only when changed, with a heartbeat (ShouldWriteStatus in
//     node_probe_state.h: reportedAt is refreshed at least every 2 × interval because the
//     operator treats samples older than 3 × interval as stale).
//   - after each successful write, sends the Kubernetes Events of the probes' state changes
//     since the last write (probe_events.h), regarding the NodeProbeState, when given an
//     EventRecorder.
// A failed write is returned (the agent logs it) and retried at the next report.
//
// Thread-safety: not thread-safe; the agent loop calls Report(). The Client is thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "limen/bpf/sources.h"
#include "limen/kube/client.h"
#include "limen/kube/clock.h"
#include "limen/kube/event_recorder.h"

namespace limen::bpf {

// limen.dev/v1alpha1 resources the loader uses.
inline const kube::Resource kNodeProbeStates{"limen.dev", "v1alpha1", "nodeprobestates",
                                             "NodeProbeState", false};
inline const kube::Resource kObservabilityPolicies{"limen.dev", "v1alpha1", "observabilitypolicies",
                                                   "ObservabilityPolicy", true};

class NodeProbeStateWriter : public StateSink {
 public:
  NodeProbeStateWriter(kube::Client& client, std::string node, std::chrono::milliseconds interval,
                       kube::Clock& clock = kube::RealClock::Instance(),
                       kube::EventRecorder* events = nullptr);
  Status Report(const NodeReport& report) override;

  int64_t writes() const { return writes_; }

 private:
  Status EnsureObject();
  Status PatchStatus(const nlohmann::json& status);
  void AnnounceProbes(const std::vector<ProbeStatus>& probes);

  // Constant after construction.
  kube::Client& client_;
  const std::string node_;
  const std::chrono::milliseconds interval_;
  kube::Clock& clock_;
  kube::EventRecorder* const events_;  // may be null: no Events

  bool exists_ = false;                 // the object was seen or created
  kube::ObjectReference ref_;           // of the object, once it exists
  std::vector<ProbeStatus> announced_;  // probe states the last Events described
  std::string last_;                    // comparison form of the last status written
  std::optional<kube::Clock::MonoTime> last_write_;
  int64_t writes_ = 0;
};

}  // namespace limen::bpf
