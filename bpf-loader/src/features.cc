#include "limen/bpf/features.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

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

// libbpf's probe of BPF_PROG_TYPE_TRACING asks for fentry, which needs trampolines;
// tp_btf does not (it attaches like raw_tp). So load the smallest tp_btf program instead.
Feature TpBtf() {
  int id = libbpf_find_vmlinux_btf_id("sched_process_exec", BPF_TRACE_RAW_TP);
  if (id < 0)
    return Missing("no BTF for tracepoint sched_process_exec: " +
                   std::error_code(-id, std::generic_category()).message());
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
              .attach_btf_id = static_cast<__u32>(id));
  int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, nullptr, "GPL", insns, 2, &opts);
  if (fd < 0) {
    return Missing("tp_btf program rejected: " +
                   std::error_code(errno, std::generic_category()).message());
  }
  close(fd);
  return Available();
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
  f.tp_btf = f.btf.available ? TpBtf() : f.btf;
  f.fentry = FromProbeResult(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, nullptr),
                             "BPF_PROG_TYPE_TRACING (fentry)");
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
