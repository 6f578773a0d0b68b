// Attribution of processes to containers and pods, from cgroup paths.
//
// A process's /proc/<pid>/cgroup names its cgroup in each hierarchy ("0::/path" on cgroup
// v2, "4:memory:/path" on v1). Container runtimes name the leaf after the container ID, so
// the ID is recovered from the path and matched against a Pod's
// status.containerStatuses[].containerID ("containerd://<id>"). The parsers are pure
// functions of text (unit-tested and fuzzable); the small I/O helpers at the bottom read
// procfs and cgroupfs and report a vanished process as NotFound, never a crash.
//
// Thread-safety: pure functions; the I/O helpers are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"

namespace limen::bpf {

// One line of /proc/<pid>/cgroup.
struct CgroupEntry {
  int hierarchy = 0;                     // 0 is the v2 unified hierarchy
  std::vector<std::string> controllers;  // {"memory"}, {"cpu","cpuacct"}, {"name=systemd"}, {}
  std::string path;                      // relative to the hierarchy's mount point
  friend bool operator==(const CgroupEntry&, const CgroupEntry&) = default;
};

// Parses /proc/<pid>/cgroup. A malformed line is an InvalidArgument naming its number.
StatusOr<std::vector<CgroupEntry>> ParseProcCgroup(std::string_view text);

struct ContainerRef {
  std::string runtime;  // "containerd", "cri-o", "docker", or "" when the path does not say
  std::string id;       // 64 lower-case hex digits
  friend bool operator==(const ContainerRef&, const ContainerRef&) = default;
};

// The container a cgroup path belongs to: the innermost path component that names a
// container ID (cri-containerd-<id>.scope, crio-<id>.scope, docker-<id>.scope, libpod-<id>
// and bare <id> of the cgroupfs driver). crio-conmon-<id> (the monitor) is not a container.
std::optional<ContainerRef> ContainerFromCgroupPath(std::string_view path);

// The pod UID a kubelet cgroup path names ("pod<uid>" or the systemd form
// "kubepods-burstable-pod<uid with _>.slice"), in its dashed form.
std::optional<std::string> PodUidFromCgroupPath(std::string_view path);

// The container of a process: the v2 entry if it names one, else memory, else any entry.
std::optional<ContainerRef> ContainerOfProcess(const std::vector<CgroupEntry>& entries);

// Splits a Pod status containerID "containerd://<id>" into runtime and id.
std::optional<ContainerRef> ParseContainerId(std::string_view container_id);

// Where the cgroup hierarchies are mounted, from /proc/self/mountinfo.
struct CgroupMounts {
  std::string v2;                         // e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified
  std::map<std::string, std::string> v1;  // controller → mount point
  bool hybrid() const { return !v2.empty() && !v1.empty(); }
  // Whether v1 memory-cgroup ids exist here: only then need the programs walk to them.
  bool has_v1_memory() const { return v1.count("memory") > 0; }
};
CgroupMounts ParseCgroupMounts(std::string_view mountinfo);

// ---- I/O helpers ----

StatusOr<std::string> ReadFileToString(const std::string& path, size_t limit = 1 << 20);
StatusOr<std::vector<CgroupEntry>> ReadProcCgroup(int pid);
StatusOr<CgroupMounts> ReadCgroupMounts();
// The kernel's id of a cgroup directory (its kernfs inode; what bpf_get_current_cgroup_id
// returns on v2 and kernfs_node.id on v1).
StatusOr<uint64_t> CgroupIdOfPath(const std::string& dir);
// The tgids in a cgroup directory (cgroup.procs), recursively over child cgroups.
StatusOr<std::vector<int>> PidsInCgroup(const std::string& dir);

}  // namespace limen::bpf
