#include "limen/bpf/probe_events.h"

#include <map>
#include <optional>

namespace limen::bpf {
namespace {

std::string Describe(const ProbeStatus& p) {
  std::string name(ProbeName(p.probe));
  switch (p.state) {
    case ProbeState::kAttached:
      return name + " attached" + (p.variant.empty() ? "" : " (" + p.variant + ")") +
             (p.binaries > 0 ? " to " + std::to_string(p.binaries) + " Go binaries" : "");
    case ProbeState::kFailed:
      return name + " failed to attach: " + (p.error.empty() ? "no reason given" : p.error);
    case ProbeState::kUnsupported:
      return name +
             " is not supported on this node: " + (p.error.empty() ? "no reason given" : p.error);
    case ProbeState::kPending:
      return name + " is pending" + (p.error.empty() ? "" : ": " + p.error);
  }
  return name;
}

std::optional<ProbeEvent> EventFor(ProbeState was, const ProbeStatus& now) {
  // A changed error of a still-failing probe is the same state: no new Event.
  if (was == now.state) return std::nullopt;
  switch (now.state) {
    case ProbeState::kAttached: return ProbeEvent{false, "ProbeAttached", Describe(now)};
    case ProbeState::kFailed: return ProbeEvent{true, "ProbeFailed", Describe(now)};
    case ProbeState::kUnsupported: return ProbeEvent{true, "ProbeUnsupported", Describe(now)};
    case ProbeState::kPending:
      // Attached → Pending: its last Go binary left the node.
      if (was == ProbeState::kAttached) {
        std::string note = std::string(ProbeName(now.probe)) + " detached";
        return ProbeEvent{false, "ProbeDetached",
                          now.error.empty() ? note : note + ": " + now.error};
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::vector<ProbeEvent> ProbeTransitions(const std::vector<ProbeStatus>& before,
                                         const std::vector<ProbeStatus>& after) {
  std::map<Probe, ProbeState> was;
  for (const ProbeStatus& p : before) was[p.probe] = p.state;
  std::vector<ProbeEvent> out;
  for (const ProbeStatus& p : after) {
    auto it = was.find(p.probe);
    auto e = EventFor(it == was.end() ? ProbeState::kPending : it->second, p);
    if (e) out.push_back(std::move(*e));
    if (it != was.end()) was.erase(it);
  }
  for (const auto& [probe, state] : was) {  // no longer wanted by any policy
    if (state == ProbeState::kAttached) {
      out.push_back({false, "ProbeDetached",
                     std::string(ProbeName(probe)) + " detached: no policy selects it any more"});
    }
  }
  return out;
}

}  // namespace limen::bpf
