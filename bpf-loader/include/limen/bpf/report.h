// The node agent's report: the values that NodeProbeState status, the Prometheus metrics and
// the standalone --print-json output are all rendered from (pure functions of a NodeReport,
// see node_probe_state.h and metrics.h), so every output agrees and is testable without a
// kernel or a cluster.
//
// Thread-safety: plain values.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "limen/bpf/features.h"
#include "limen/bpf/probe_abi.h"

namespace limen::bpf {

using WallTime = std::chrono::system_clock::time_point;

// In-kernel counters of one probe for one container (summed over CPUs).
struct EventCounts {
  uint64_t hits = 0;
  uint64_t delivered = 0;
  uint64_t dropped = 0;
  EventCounts& operator+=(const EventCounts& o) {
    hits += o.hits;
    delivered += o.delivered;
    dropped += o.dropped;
    return *this;
  }
  friend bool operator==(const EventCounts&, const EventCounts&) = default;
};

// delivered / (delivered + dropped); nullopt before the first event (no evidence either way).
std::optional<double> Coverage(const EventCounts& c);

enum class ProbeState { kAttached, kFailed, kUnsupported, kPending };
std::string_view ProbeStateName(ProbeState s);  // "Attached", ...

struct ProbeStatus {
  Probe probe = Probe::kProcessExec;
  ProbeState state = ProbeState::kPending;
  std::string error;    // why Failed / Unsupported / Pending
  std::string variant;  // "raw_tp", "tracepoint", "uprobe"
  std::optional<WallTime> attached_at;
  int binaries = 0;  // Go probes: binaries the uprobe is attached to
};

// Fixed buckets of the go.chan.block histogram, in seconds (upper bounds; +Inf implied).
inline constexpr std::array<double, 12> kChanBlockBuckets = {1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4,
                                                             1e-3, 5e-3, 1e-2, 1e-1, 1,    10};

// What user space derived from the events of one container.
struct Measurements {
  std::optional<uint64_t> first_exec_ns;    // CLOCK_MONOTONIC of the first exec seen
  std::optional<uint64_t> first_listen_ns;  // first TCP_LISTEN at or after first_exec_ns
  uint64_t tcp_bytes_sent = 0;
  uint64_t tcp_retransmits = 0;
  uint64_t goroutines_created = 0;
  uint64_t goroutines_exited = 0;
  std::map<int, uint64_t> exits_by_code;  // process exits; a signal is reported as 128+sig
  std::array<uint64_t, kChanBlockBuckets.size() + 1> chan_block_buckets{};  // non-cumulative
  double chan_block_seconds_sum = 0;
  uint64_t events_received = 0;

  std::optional<uint64_t> StartupNanos() const;
};

struct ContainerReport {
  std::string name;          // container name ("" when unknown, e.g. --pid)
  std::string container_id;  // "containerd://<id>" or ""
  std::array<EventCounts, kProbeCount> counts{};
  Measurements measurements;
  uint64_t rss_bytes = 0;
  std::optional<double> cpu_seconds;
  int processes = 0;
};

struct PodReport {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::vector<ContainerReport> containers;

  EventCounts TotalCounts() const;
  uint64_t RssBytes() const;
  // Earliest exec of any container → the first listen() after it.
  std::optional<uint64_t> StartupNanos() const;
};

// The loader's own health and work.
struct LoaderStats {
  uint64_t events_received = 0;
  uint64_t events_malformed = 0;
  uint64_t poll_errors = 0;
  uint64_t go_binaries_attached = 0;
  uint64_t go_binary_failures = 0;
  uint64_t resyncs = 0;
  uint64_t rss_bytes = 0;  // the loader's own resident memory
};

struct NodeReport {
  std::string node;
  KernelFeatures kernel;
  std::vector<ProbeStatus> probes;  // the wanted probes only
  std::vector<PodReport> pods;
  LoaderStats loader;
  WallTime reported_at{};
};

}  // namespace limen::bpf
