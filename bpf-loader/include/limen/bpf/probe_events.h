// The node agent's Kubernetes Events: one per change of a probe's attach state on this
// node (attached, failed, unsupported, detached), as a pure function of the probe lists of
// two consecutive reports, so the NodeProbeStateWriter only sends what this returns.
//
// The first report compares against "nothing loaded yet" (every probe Pending): a probe
// that attaches gives ProbeAttached, one that cannot gives ProbeFailed / ProbeUnsupported
// with its reason. A probe that no policy wants any more gives ProbeDetached. A probe still
// Pending (a Go probe before any Go binary) gives nothing.
//
// Thread-safety: pure.
#pragma once

#include <string>
#include <vector>

#include "limen/bpf/report.h"

namespace limen::bpf {

struct ProbeEvent {
  bool warning = false;
  std::string reason;  // ProbeAttached, ProbeFailed, ProbeUnsupported, ProbeDetached
  std::string note;    // e.g. "tcp.send attached (raw_tp)"
  friend bool operator==(const ProbeEvent&, const ProbeEvent&) = default;
};

std::vector<ProbeEvent> ProbeTransitions(const std::vector<ProbeStatus>& before,
                                         const std::vector<ProbeStatus>& after);

}  // namespace limen::bpf
