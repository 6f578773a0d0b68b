// Fuzzes the parsers of what /proc hands the loader about other processes (untrusted: a
// container can name its cgroups, and anything it runs shapes these files):
// /proc/<pid>/cgroup, /proc/self/mountinfo, cgroup paths → container IDs, containerID
// strings from Pod statuses, cpu.stat, /proc/<pid>/stat and statm. None may crash; parsed
// entries must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "limen/bpf/cgroup.h"
#include "limen/bpf/procfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace limen::bpf;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto entries = ParseProcCgroup(text); entries.ok()) {
    for (const auto& e : *entries) {
      if (e.path.empty() || e.path[0] != '/') std::abort();  // paths are absolute
      (void)ContainerFromCgroupPath(e.path);
      (void)PodUidFromCgroupPath(e.path);
    }
    if (auto ref = ContainerOfProcess(*entries); ref && ref->id.empty()) std::abort();
  }
  (void)ParseCgroupMounts(text);
  if (auto ref = ContainerFromCgroupPath(text); ref && ref->id.empty()) std::abort();
  (void)PodUidFromCgroupPath(text);
  if (auto ref = ParseContainerId(text); ref && ref->id.empty()) std::abort();
  (void)ParseCpuStatUsageUsec(text);
  (void)ParseProcStatCpuTicks(text);
  (void)ParseStatmResidentPages(text);
  return 0;
}
