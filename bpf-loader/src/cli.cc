#include "limen/bpf/cli.h"

#include <algorithm>
#include <charconv>

namespace limen::bpf {
namespace {

StatusOr<int64_t> ParseInt(const std::string& flag, const std::string& v, int64_t min,
                           int64_t max) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || out < min || out > max) {
    return Status::InvalidArgument(flag + ": want an integer in [" + std::to_string(min) + ", " +
                                   std::to_string(max) + "], got '" + v + "'");
  }
  return out;
}

Status ParsePod(const std::string& v, PodTarget& pod) {
  size_t a = v.find('/');
  if (a == std::string::npos || a == 0 || a + 1 == v.size()) {
    return Status::InvalidArgument("--pod: want NAMESPACE/NAME[/UID], got '" + v + "'");
  }
  size_t b = v.find('/', a + 1);
  pod.namespace_ = v.substr(0, a);
  pod.name = v.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) pod.uid = v.substr(b + 1);
  return Status::Ok();
}

Status ParseProbes(const std::string& v, std::set<Probe>& probes) {
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    std::string name =
        v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto p = ProbeFromName(name);
    if (!p) return Status::InvalidArgument("--probes: unknown probe '" + name + "'");
    probes.insert(*p);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CliConfig> ParseCli(const std::vector<std::string>& args) {
  CliConfig c;
  const bool help = std::any_of(args.begin(), args.end(),
                                [](const std::string& a) { return a == "-h" || a == "--help"; });
  if (help || (!args.empty() && args[0] == "help")) {
    c.command = "help";
    return c;
  }
  size_t first = 1;
  if (args.empty() || args[0].rfind("--", 0) == 0) {
    c.command = "kube";
    first = 0;
  } else {
    c.command = args[0];
  }
  if (c.command != "kube" && c.command != "standalone" && c.command != "features") {
    return Status::InvalidArgument("unknown command '" + c.command +
                                   "' (want kube, standalone or features)");
  }
  ContainerTarget container;
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--print-json") {
      c.print_json = true;
      continue;
    }
    if (i + 1 >= args.size()) return Status::InvalidArgument(flag + ": missing value");
    const std::string& v = args[++i];
    bool target_flag = flag == "--pid" || flag == "--cgroup" || flag == "--container-id" ||
                       flag == "--container" || flag == "--pod" || flag == "--probes";
    if (target_flag && c.command != "standalone") {
      return Status::InvalidArgument(flag +
                                     ": only in standalone mode (in kube mode, "
                                     "ObservabilityPolicies choose pods and probes)");
    }
    if (flag == "--pid") {
      LIMEN_ASSIGN_OR_RETURN(int64_t pid, ParseInt(flag, v, 1, (1 << 22)));
      container.pids.push_back(static_cast<int>(pid));
    } else if (flag == "--cgroup") {
      if (v.empty() || v[0] != '/')
        return Status::InvalidArgument("--cgroup: want an absolute path");
      container.cgroups.push_back(v);
    } else if (flag == "--container-id") {
      container.container_id = v;
    } else if (flag == "--container") {
      container.name = v;
    } else if (flag == "--pod") {
      LIMEN_RETURN_IF_ERROR(ParsePod(v, c.pod));
    } else if (flag == "--probes") {
      LIMEN_RETURN_IF_ERROR(ParseProbes(v, c.probes));
    } else if (flag == "--metrics-addr") {
      c.metrics_addr = v;
    } else if (flag == "--report-interval-ms") {
      LIMEN_ASSIGN_OR_RETURN(c.report_interval_ms, ParseInt(flag, v, 10, 3600000));
    } else if (flag == "--ringbuf-bytes") {
      LIMEN_ASSIGN_OR_RETURN(int64_t n, ParseInt(flag, v, 4096, 1 << 30));
      if (n & (n - 1)) return Status::InvalidArgument("--ringbuf-bytes: want a power of two");
      c.ringbuf_bytes = static_cast<uint32_t>(n);
    } else if (flag == "--duration-ms") {
      LIMEN_ASSIGN_OR_RETURN(c.duration_ms, ParseInt(flag, v, 0, INT64_MAX / 2));
    } else if (flag == "--node" || flag == "--node-name") {
      c.node = v;
    } else if (flag == "--kubeconfig") {
      if (c.command != "kube") return Status::InvalidArgument("--kubeconfig: only in kube mode");
      c.kubeconfig = v;
    } else if (flag == "--resync-interval-ms") {
      LIMEN_ASSIGN_OR_RETURN(c.resync_interval_ms, ParseInt(flag, v, 10, 600000));
    } else if (flag == "--log-level") {
      c.log_level = v;
    } else if (flag == "--log-format") {
      if (v != "json" && v != "text") return Status::InvalidArgument("--log-format: json or text");
      c.log_format = v;
    } else {
      return Status::InvalidArgument("unknown flag '" + flag + "'");
    }
  }
  if (c.command == "standalone") {
    if (container.pids.empty() && container.cgroups.empty() && container.container_id.empty()) {
      return Status::InvalidArgument(
          "standalone: give at least one --pid, --cgroup or --container-id");
    }
    c.pod.containers.push_back(std::move(container));
  }
  return c;
}

}  // namespace limen::bpf
