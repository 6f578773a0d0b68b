// KernelFeatures: what this kernel lets the probes use, each with the reason when not.
//
// Probing is by trying (libbpf_probe_bpf_prog_type / map_type, the PMU types in sysfs,
// tracefs), never by version numbers: the same kernel version differs across distributions
// and configurations. The loader picks a variant per probe from these (tp_btf, raw_tp,
// then tracefs tracepoints; kprobes and fentry are never required) and reports the rest.
//
// Thread-safety: ProbeKernelFeatures() is thread-safe; the result is a plain value.
#pragma once

#include <map>
#include <string>

namespace limen::bpf {

struct Feature {
  bool available = false;
  std::string reason;  // why not, when !available
};

struct KernelFeatures {
  std::string release;  // uname -r
  Feature btf;          // /sys/kernel/btf/vmlinux (CO-RE)
  Feature ring_buffer;  // BPF_MAP_TYPE_RINGBUF
  Feature raw_tp;       // BPF_PROG_TYPE_RAW_TRACEPOINT (no tracefs needed)
  Feature tp_btf;       // BPF_PROG_TYPE_TRACING on a raw tracepoint (BTF-typed args)
  Feature tracefs;      // tracefs events directory, for classic tracepoints
  Feature tracepoint;   // BPF_PROG_TYPE_TRACEPOINT
  Feature uprobes;      // the uprobe PMU
  Feature kprobes;      // the kprobe PMU
  Feature fentry;       // BPF trampolines

  // Tracepoints are usable one way or another (the NodeProbeState "tracepoints" field).
  bool tracepoints() const {
    return tp_btf.available || raw_tp.available || (tracepoint.available && tracefs.available);
  }
};

struct ProbeOptions {
  // Mount tracefs at /sys/kernel/tracing when no tracefs is mounted and raw_tp is
  // unavailable (classic tracepoints resolve their ids there).
  bool mount_tracefs_if_needed = true;
};

KernelFeatures ProbeKernelFeatures(const ProbeOptions& options = {});

// The tracefs mount point in use ("" when none), e.g. /sys/kernel/tracing.
std::string TracefsMountPoint();

}  // namespace limen::bpf
