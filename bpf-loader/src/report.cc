#include "limen/bpf/report.h"

#include <algorithm>

namespace limen::bpf {

std::optional<double> Coverage(const EventCounts& c) {
  uint64_t total = c.delivered + c.dropped;
  if (total == 0) return std::nullopt;
  return static_cast<double>(c.delivered) / static_cast<double>(total);
}

std::string_view ProbeStateName(ProbeState s) {
  switch (s) {
    case ProbeState::kAttached: return "Attached";
    case ProbeState::kFailed: return "Failed";
    case ProbeState::kUnsupported: return "Unsupported";
    case ProbeState::kPending: return "Pending";
  }
  return "Pending";
}

std::optional<uint64_t> Measurements::StartupNanos() const {
  if (!first_exec_ns || !first_listen_ns || *first_listen_ns < *first_exec_ns) return std::nullopt;
  return *first_listen_ns - *first_exec_ns;
}

EventCounts PodReport::TotalCounts() const {
  EventCounts total;
  for (const auto& c : containers) {
    for (const auto& p : c.counts) total += p;
  }
  return total;
}

uint64_t PodReport::RssBytes() const {
  uint64_t total = 0;
  for (const auto& c : containers) total += c.rss_bytes;
  return total;
}

std::optional<uint64_t> PodReport::StartupNanos() const {
  std::optional<uint64_t> exec, listen;
  for (const auto& c : containers) {
    const auto& m = c.measurements;
    if (m.first_exec_ns && (!exec || *m.first_exec_ns < *exec)) exec = m.first_exec_ns;
  }
  for (const auto& c : containers) {
    const auto& m = c.measurements;
    if (m.first_listen_ns && exec && *m.first_listen_ns >= *exec &&
        (!listen || *m.first_listen_ns < *listen)) {
      listen = m.first_listen_ns;
    }
  }
  if (!exec || !listen) return std::nullopt;
  return *listen - *exec;
}

}  // namespace limen::bpf
