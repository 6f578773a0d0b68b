// Agent: the node agent's loop. It keeps the kernel's filter maps in step with the pods a
// PodSource names (attribution: process → container → pod), attaches Go uprobes to the
// binaries those processes run, folds ring-buffer events into per-container Measurements,
// and builds NodeReports for a StateSink, the metrics and the JSON output.
//
// One loop thread calls Start/Resync/PollOnce/Publish (or Run); any thread may call
// Snapshot() and Ready(), which read the last published report under a mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/bpf/cgroup.h"
#include "limen/bpf/probe_loader.h"
#include "limen/bpf/report.h"
#include "limen/bpf/sources.h"

namespace limen::bpf {

struct AgentOptions {
  std::string node;  // defaults to the host name
  LoaderOptions loader;
  std::chrono::milliseconds resync_interval{1000};
  std::chrono::milliseconds report_interval{15000};   // to the StateSink
  std::chrono::milliseconds snapshot_interval{1000};  // for /metrics and Snapshot()
  int poll_timeout_ms = 100;
  // Kube mode: the loader runs the whole catalogue (so policy changes need no reload), and
  // each pod counts only the probes its policies ask for (PodTarget::probes): its other
  // probes' events are ignored, its counters for them reported as zero, Go uprobes are
  // attached to its binaries only when it wants a go.* probe, and NodeReport::probes lists
  // the union over the tracked pods.
  bool probes_from_pods = false;
};

class Agent {
 public:
  Agent(AgentOptions options, PodSource& source, StateSink* sink);
  ~Agent();

  // Probes kernel features and loads the probes. Probe failures are not errors (they are
  // reported per probe); an error means the agent cannot run at all.
  Status Start();
  // Re-reads the PodSource and brings maps and uprobes in line with it.
  Status Resync();
  // Consumes ring-buffer events for up to timeout_ms; returns how many.
  int PollOnce(int timeout_ms);
  // Builds a report and makes it the Snapshot(); hands it to the sink when `to_sink`.
  void Publish(bool to_sink = true);
  // Loops (resync, poll, publish at their intervals) until `stop` becomes true.
  void Run(const std::atomic<bool>& stop);

  NodeReport Snapshot() const;
  // Ready once the probes were loaded and the first resync succeeded.
  Status Ready() const;

 private:
  struct Tracked {
    std::string pod_key;
    PodTarget pod;  // containers cleared; identity only
    ContainerTarget container;
    uint32_t slot = 0;
    std::set<int> pids;                           // known processes (for RSS, uprobes)
    std::set<std::pair<uint64_t, bool>> cgroups;  // (id, v1) in the filter maps
    std::set<int> explicit_pids;                  // in the pid filter map
    std::set<BinaryKey> binaries;                 // Go binaries referenced
    std::string v2_path, cpuacct_path;            // for CPU accounting
    Measurements measurements;
  };
  void Sync(
      Tracked& t,
      const std::map<std::string, std::vector<std::pair<int, std::vector<CgroupEntry>>>>& by_id);
  void SyncBinaries(Tracked& t);
  void Untrack(Tracked& t);
  static bool Wants(const Tracked& t, Probe p) {
    return t.pod.probes.empty() || t.pod.probes.count(p) > 0;
  }
  NodeReport BuildReport();
  void OnEvent(const limen_event& e);

  // Constant after construction.
  const AgentOptions options_;
  PodSource& source_;
  StateSink* const sink_;

  // Loop thread only.
  KernelFeatures features_;
  CgroupMounts mounts_;
  std::unique_ptr<ProbeLoader> loader_;
  std::map<std::string, Tracked> tracked_;  // by "namespace/name/container"
  std::map<uint32_t, Tracked*> by_slot_;
  std::vector<uint32_t> free_slots_;
  LoaderStats stats_;
  bool synced_ = false;

  mutable std::mutex mu_;
  NodeReport snapshot_;                                // guarded by mu_
  Status ready_ = Status::Unavailable("not started");  // guarded by mu_
};

}  // namespace limen::bpf
