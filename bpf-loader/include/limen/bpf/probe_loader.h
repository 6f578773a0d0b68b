// ProbeLoader: owns the loaded limen.bpf.c object — skeleton, links, ring buffer — and is
// the only code that talks to libbpf.
//
// Load() picks one variant per wanted probe from KernelFeatures (raw_tp, else a tracefs
// tracepoint), disables the others with bpf_program__set_autoload before loading, and
// attaches each probe separately: a probe that cannot attach is recorded as Failed or
// Unsupported with its reason while the others run. Go probes attach per binary
// (AttachGoBinary), by file offset, with pid -1 and the in-kernel filter maps deciding
// which processes count.
//
// Nothing is pinned: every program, map and link lives only as long as this object's file
// descriptors, so the destructor — or the kernel closing them when the process is killed —
// leaves nothing behind.
//
// Thread-safety: not thread-safe; one thread (the agent loop) owns it.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/bpf/features.h"
#include "limen/bpf/report.h"

struct limen_probes;  // the generated skeleton (bpf/limen.bpf.c)
struct ring_buffer;
struct bpf_link;

namespace limen::bpf {

struct LoaderOptions {
  std::set<Probe> probes;                                // empty = the whole catalogue
  uint32_t ringbuf_bytes = LIMEN_DEFAULT_RINGBUF_BYTES;  // power of two, >= page size
  uint64_t wakeup_bytes = uint64_t{256} * 1024;          // consumer wake-up backlog
  bool match_cgroup_v1 = true;                           // also match v1 memory cgroup ids
  // Whether SetPidSlot will be used (standalone --pid targets). Without it the programs
  // never look up the pid filter and fork tracking is not loaded: kube mode traces cgroups.
  bool trace_pids = true;
};

// Identity of a binary file (uprobes attach to an inode).
struct BinaryKey {
  dev_t dev = 0;
  ino_t ino = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): a false positive on a defaulted <=>
  auto operator<=>(const BinaryKey&) const = default;
};

class ProbeLoader {
 public:
  using EventFn = std::function<void(const limen_event&)>;

  static StatusOr<std::unique_ptr<ProbeLoader>> Load(const KernelFeatures& features,
                                                     const LoaderOptions& options);
  ~ProbeLoader();
  ProbeLoader(const ProbeLoader&) = delete;
  ProbeLoader& operator=(const ProbeLoader&) = delete;

  const std::vector<ProbeStatus>& probe_status() const { return status_; }
  bool wants(Probe p) const;

  // Filter maps. Slot 0 means "not traced" and is rejected. SetPidSlot needs
  // LoaderOptions::trace_pids (else FailedPrecondition).
  Status SetPidSlot(uint32_t tgid, uint32_t slot);
  void ClearPid(uint32_t tgid);
  // `v1`: a v1 memory-hierarchy id (a separate id space from v2's).
  Status SetCgroupSlot(uint64_t cgroup_id, bool v1, uint32_t slot);
  void ClearCgroup(uint64_t cgroup_id, bool v1);
  // The traced tgids (given ones and the children the kernel added on fork) → slot.
  std::map<uint32_t, uint32_t> TracedPids() const;
  // Zeroes a slot's counters before it is given to a new container.
  void ResetSlotCounters(uint32_t slot);
  // The slot's counters per probe, summed over CPUs.
  std::array<EventCounts, kProbeCount> ReadCounters(uint32_t slot) const;

  // Consumes ready events (waits up to timeout_ms); returns how many, or an error.
  StatusOr<int> Poll(int timeout_ms, const EventFn& fn);

  // Attaches the go.* uprobes to the binary at `path` (e.g. /proc/<pid>/exe) unless already
  // attached; reference-counted per BinaryKey. A non-Go binary is NotFound (not an error
  // to report); a Go binary whose functions cannot be placed is reported per probe.
  Status AttachGoBinary(const std::string& path, const BinaryKey& key);
  void ReleaseGoBinary(const BinaryKey& key);
  size_t go_binaries() const { return binaries_.size(); }

 private:
  ProbeLoader() = default;
  int LoadObject(const KernelFeatures& features, int variant);
  Status AttachTracepoints(int variant);
  ProbeStatus& StatusOf(Probe p);
  void UpdateGoStatus(Probe p, const Status& s);

  struct BinaryLinks {
    int refs = 0;
    std::vector<bpf_link*> links;
    std::set<Probe> probes;  // the probes attached in this binary
  };
  static int OnRingEvent(void* ctx, void* data, size_t size);

  ::limen_probes* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  std::vector<bpf_link*> links_;
  std::map<BinaryKey, BinaryLinks> binaries_;
  std::set<BinaryKey> non_go_;  // binaries inspected and found not to be Go
  std::vector<ProbeStatus> status_;
  std::set<Probe> wanted_;
  int ncpus_ = 1;
  const EventFn* poll_fn_ = nullptr;  // set only during Poll()
  uint64_t malformed_ = 0;

 public:
  uint64_t malformed_events() const { return malformed_; }
};

}  // namespace limen::bpf
