#include "limen/bpf/cgroup.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace limen::bpf {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool IsHexId(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool ConsumeSuffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

// One path component → container, if it names one.
std::optional<ContainerRef> ContainerFromComponent(std::string_view c) {
  struct Pattern {
    std::string_view prefix;
    std::string_view runtime;
  };
  static constexpr Pattern kPatterns[] = {
      {"cri-containerd-", "containerd"},
      {"crio-", "cri-o"},
      {"docker-", "docker"},
      {"libpod-", "podman"},
      {"containerd-", "containerd"},
  };
  ConsumeSuffix(c, ".scope");
  if (c.substr(0, 12) == "crio-conmon-") return std::nullopt;
  for (const auto& p : kPatterns) {
    std::string_view rest = c;
    if (ConsumePrefix(rest, p.prefix) && IsHexId(rest)) {
      return ContainerRef{std::string(p.runtime), std::string(rest)};
    }
  }
  if (IsHexId(c)) return ContainerRef{"", std::string(c)};
  return std::nullopt;
}

bool IsUidChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

}  // namespace

StatusOr<std::vector<CgroupEntry>> ParseProcCgroup(std::string_view text) {
  std::vector<CgroupEntry> out;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      return Status::InvalidArgument("cgroup line " + std::to_string(line_no) +
                                     ": want hierarchy:controllers:path");
    }
    std::string_view hier = line.substr(0, c1);
    if (hier.empty() || hier.size() > 9 ||
        !std::all_of(hier.begin(), hier.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("cgroup line " + std::to_string(line_no) +
                                     ": hierarchy id is not a number");
    }
    CgroupEntry e;
    e.hierarchy = std::stoi(std::string(hier));
    std::string_view ctrls = line.substr(c1 + 1, c2 - c1 - 1);
    if (!ctrls.empty()) {
      for (auto c : Split(ctrls, ',')) e.controllers.emplace_back(c);
    }
    e.path = std::string(line.substr(c2 + 1));
    if (e.path.empty() || e.path[0] != '/') {
      return Status::InvalidArgument("cgroup line " + std::to_string(line_no) +
                                     ": path is not absolute");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<ContainerRef> ContainerFromCgroupPath(std::string_view path) {
  auto parts = Split(path, '/');
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (auto ref = ContainerFromComponent(*it)) return ref;
  }
  return std::nullopt;
}

std::optional<std::string> PodUidFromCgroupPath(std::string_view path) {
  auto parts = Split(path, '/');
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    std::string_view c = *it;
    ConsumeSuffix(c, ".slice");
    size_t pos = c.rfind("pod");
    if (pos == std::string_view::npos) continue;
    std::string_view uid = c.substr(pos + 3);
    if (uid.size() != 36 || !std::all_of(uid.begin(), uid.end(), IsUidChar)) continue;
    std::string out(uid);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
  }
  return std::nullopt;
}

std::optional<ContainerRef> ContainerOfProcess(const std::vector<CgroupEntry>& entries) {
  auto has = [](const CgroupEntry& e, std::string_view c) {
    return std::find(e.controllers.begin(), e.controllers.end(), c) != e.controllers.end();
  };
  for (const auto& e : entries) {
    if (e.hierarchy == 0 && e.controllers.empty()) {
      if (auto ref = ContainerFromCgroupPath(e.path)) return ref;
    }
  }
  for (const auto& e : entries) {
    if (has(e, "memory")) {
      if (auto ref = ContainerFromCgroupPath(e.path)) return ref;
    }
  }
  for (const auto& e : entries) {
    if (auto ref = ContainerFromCgroupPath(e.path)) return ref;
  }
  return std::nullopt;
}

std::optional<ContainerRef> ParseContainerId(std::string_view container_id) {
  size_t pos = container_id.find("://");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view id = container_id.substr(pos + 3);
  if (!IsHexId(id)) return std::nullopt;
  return ContainerRef{std::string(container_id.substr(0, pos)), std::string(id)};
}

CgroupMounts ParseCgroupMounts(std::string_view mountinfo) {
  CgroupMounts out;
  for (std::string_view line : Split(mountinfo, '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    auto left = Split(line.substr(0, dash), ' ');
    auto right = Split(line.substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    std::string mount_point(left[4]);
    if (right[0] == "cgroup2") {
      if (out.v2.empty()) out.v2 = mount_point;
    } else if (right[0] == "cgroup") {
      for (auto opt : Split(right[2], ',')) {
        if (opt == "rw" || opt == "ro" || opt.find('=') != std::string_view::npos) {
          if (opt.substr(0, 5) == "name=") out.v1.emplace(std::string(opt), mount_point);
          continue;
        }
        out.v1.emplace(std::string(opt), mount_point);
      }
    }
  }
  return out;
}

StatusOr<std::string> ReadFileToString(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": " + std::strerror(errno));
  std::string data;
  data.resize(limit);
  in.read(data.data(), static_cast<std::streamsize>(limit));
  data.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::Unavailable(path + ": read failed");
  return data;
}

StatusOr<std::vector<CgroupEntry>> ReadProcCgroup(int pid) {
  LIMEN_ASSIGN_OR_RETURN(std::string text,
                         ReadFileToString("/proc/" + std::to_string(pid) + "/cgroup"));
  auto entries = ParseProcCgroup(text);
  if (!entries.ok()) return entries.status().WithContext("pid " + std::to_string(pid));
  return entries;
}

StatusOr<CgroupMounts> ReadCgroupMounts() {
  LIMEN_ASSIGN_OR_RETURN(std::string text, ReadFileToString("/proc/self/mountinfo"));
  return ParseCgroupMounts(text);
}

StatusOr<uint64_t> CgroupIdOfPath(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return Status::NotFound(dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + ": not a cgroup directory");
  return static_cast<uint64_t>(st.st_ino);
}

StatusOr<std::vector<int>> PidsInCgroup(const std::string& dir) {
  LIMEN_ASSIGN_OR_RETURN(std::string procs, ReadFileToString(dir + "/cgroup.procs"));
  std::vector<int> pids;
  std::istringstream in(procs);
  int pid = 0;
  while (in >> pid) pids.push_back(pid);
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* ent = readdir(d)) {
      if (ent->d_type != DT_DIR || ent->d_name[0] == '.') continue;
      auto child = PidsInCgroup(dir + "/" + ent->d_name);
      if (child.ok()) pids.insert(pids.end(), child->begin(), child->end());
    }
    closedir(d);
  }
  return pids;
}

}  // namespace limen::bpf
