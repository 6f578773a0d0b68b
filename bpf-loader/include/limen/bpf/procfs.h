// Per-process and per-cgroup resource readings: resident memory, CPU time, the executable's
// identity. Parsers are pure (tested on text); readers report a vanished process as
// NotFound — processes come and go between listing and reading, which is normal.
//
// Thread-safety: all functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"
#include "limen/bpf/cgroup.h"
#include "limen/bpf/probe_loader.h"

namespace limen::bpf {

// "usage_usec N" of a v2 cpu.stat.
std::optional<uint64_t> ParseCpuStatUsageUsec(std::string_view cpu_stat);
// utime + stime (clock ticks) from /proc/<pid>/stat; robust to spaces and ')' in comm.
std::optional<uint64_t> ParseProcStatCpuTicks(std::string_view stat);
// Resident pages (second field) of /proc/<pid>/statm.
std::optional<uint64_t> ParseStatmResidentPages(std::string_view statm);

StatusOr<uint64_t> ProcessRssBytes(int pid);
StatusOr<double> ProcessCpuSeconds(int pid);
// CPU seconds of a cgroup given by its path relative to the hierarchy root: v2 cpu.stat,
// else v1 cpuacct.usage.
StatusOr<double> CgroupCpuSeconds(const CgroupMounts& mounts, const std::string& v2_path,
                                  const std::string& v1_cpuacct_path);
// The identity of /proc/<pid>/exe's target.
StatusOr<BinaryKey> ExecutableKey(int pid);
// All tgids in /proc.
std::vector<int> ListPids();

}  // namespace limen::bpf
