#include "limen/bpf/features.h"

#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "limen/bpf/cgroup.h"

namespace limen::bpf {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

Feature Available() { return {true, ""}; }
Feature Missing(std::string reason) { return {false, std::move(reason)}; }

Feature FromProbeResult(int rc, const std::string& what) {
  if (rc == 1) return Available();
  if (rc == 0) return Missing(what + " rejected by the kernel");
  return Missing(what + " probe failed: " + std::strerror(-rc));
}

Feature Pmu(const std::string& name) {
  std::string path = "/sys/bus/event_source/devices/" + name + "/type";
  if (Exists(path)) return Available();
  return Missing(path + " absent (kernel built without " + name + " perf events)");
}

}  // namespace

std::string TracefsMountPoint() {
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    if (Exists(std::string(dir) + "/events")) return dir;
  }
  return "";
}

KernelFeatures ProbeKernelFeatures(const ProbeOptions& options) {
  KernelFeatures f;
  struct utsname u {};
  if (uname(&u) == 0) f.release = u.release;

  f.btf = Exists("/sys/kernel/btf/vmlinux")
              ? Available()
              : Missing("/sys/kernel/btf/vmlinux absent (kernel without CONFIG_DEBUG_INFO_BTF)");
  f.ring_buffer = FromProbeResult(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr),
                                  "BPF_MAP_TYPE_RINGBUF");
  f.raw_tp = FromProbeResult(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, nullptr),
                             "raw_tp programs");
  f.tp_btf = FromProbeResult(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, nullptr),
                             "BPF_PROG_TYPE_TRACING (tp_btf/fentry)");
  f.fentry = f.tp_btf;
  f.tracepoint = FromProbeResult(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, nullptr),
                                 "tracepoint programs");
  f.uprobes = Pmu("uprobe");
  f.kprobes = Pmu("kprobe");

  std::string mount_point = TracefsMountPoint();
  if (mount_point.empty() && options.mount_tracefs_if_needed && !f.raw_tp.available) {
    // Mounting tracefs is harmless and idempotent; it is only needed when raw_tp is not.
    mkdir("/sys/kernel/tracing", 0700);
    if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0) {
      mount_point = TracefsMountPoint();
    }
  }
  f.tracefs =
      mount_point.empty()
          ? Missing("tracefs not mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing")
          : Available();
  return f;
}

}  // namespace limen::bpf
