#include "limen/bpf/procfs.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>

namespace limen::bpf {
namespace {

std::optional<uint64_t> ToU64(std::string_view s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr == s.data()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<uint64_t> ParseCpuStatUsageUsec(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "usage_usec") return value;
  }
  return std::nullopt;
}

std::optional<uint64_t> ParseProcStatCpuTicks(std::string_view stat) {
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  std::istringstream in{std::string(stat.substr(close + 1))};
  std::string field;
  std::optional<uint64_t> utime, stime;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = ToU64(field);
    if (i == 15) stime = ToU64(field);
  }
  if (!utime || !stime) return std::nullopt;
  return *utime + *stime;
}

std::optional<uint64_t> ParseStatmResidentPages(std::string_view statm) {
  size_t sp = statm.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string_view rest = statm.substr(sp + 1);
  return ToU64(rest.substr(0, rest.find(' ')));
}

StatusOr<uint64_t> ProcessRssBytes(int pid) {
  LIMEN_ASSIGN_OR_RETURN(std::string statm,
                         ReadFileToString("/proc/" + std::to_string(pid) + "/statm", 4096));
  auto pages = ParseStatmResidentPages(statm);
  if (!pages) return Status::InvalidArgument("pid " + std::to_string(pid) + ": bad statm");
  return *pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

StatusOr<double> ProcessCpuSeconds(int pid) {
  LIMEN_ASSIGN_OR_RETURN(std::string stat,
                         ReadFileToString("/proc/" + std::to_string(pid) + "/stat", 4096));
  auto ticks = ParseProcStatCpuTicks(stat);
  if (!ticks) return Status::InvalidArgument("pid " + std::to_string(pid) + ": bad stat");
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

StatusOr<double> CgroupCpuSeconds(const CgroupMounts& mounts, const std::string& v2_path,
                                  const std::string& v1_cpuacct_path) {
  if (!mounts.v2.empty() && !v2_path.empty()) {
    auto text = ReadFileToString(mounts.v2 + v2_path + "/cpu.stat", 4096);
    if (text.ok()) {
      if (auto usec = ParseCpuStatUsageUsec(*text)) return static_cast<double>(*usec) / 1e6;
    }
  }
  auto it = mounts.v1.find("cpuacct");
  if (it != mounts.v1.end() && !v1_cpuacct_path.empty()) {
    LIMEN_ASSIGN_OR_RETURN(std::string text,
                           ReadFileToString(it->second + v1_cpuacct_path + "/cpuacct.usage", 64));
    if (auto ns = ToU64(text.substr(0, text.find('\n')))) return static_cast<double>(*ns) / 1e9;
  }
  return Status::NotFound("no cpu accounting for cgroup " + v2_path);
}

StatusOr<BinaryKey> ExecutableKey(int pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/exe";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Status::NotFound(path + ": " + std::strerror(errno));
  return BinaryKey{st.st_dev, st.st_ino};
}

std::vector<int> ListPids() {
  std::vector<int> pids;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    if (auto v = ToU64(e->d_name); v && *v > 0 && *v < (1u << 30)) {
      pids.push_back(static_cast<int>(*v));
    }
  }
  closedir(d);
  return pids;
}

}  // namespace limen::bpf
