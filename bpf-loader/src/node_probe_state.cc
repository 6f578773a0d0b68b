#include "limen/bpf/node_probe_state.h"

#include <ctime>

namespace limen::bpf {

std::string FormatRfc3339(WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

nlohmann::json RenderKernel(const KernelFeatures& k) {
  return {{"release", k.release},
          {"btf", k.btf.available},
          {"ringBuffer", k.ring_buffer.available},
          {"tracepoints", k.tracepoints()},
          {"uprobes", k.uprobes.available},
          {"kprobes", k.kprobes.available},
          {"fentry", k.fentry.available}};
}

nlohmann::json RenderProbe(const ProbeStatus& p) {
  nlohmann::json j = {{"name", std::string(ProbeName(p.probe))},
                      {"state", std::string(ProbeStateName(p.state))}};
  // The CRD caps error at 1024 characters.
  if (!p.error.empty()) j["error"] = p.error.substr(0, 1024);
  if (p.attached_at) j["attachedAt"] = FormatRfc3339(*p.attached_at);
  return j;
}

nlohmann::json RenderPod(const PodReport& pod) {
  EventCounts c = pod.TotalCounts();
  nlohmann::json j = {
      {"namespace", pod.namespace_},
      {"name", pod.name},
      {"rssBytes", pod.RssBytes()},
      {"events", {{"hits", c.hits}, {"delivered", c.delivered}, {"dropped", c.dropped}}}};
  if (!pod.uid.empty()) j["uid"] = pod.uid;
  if (auto s = pod.StartupNanos()) j["startupNanos"] = *s;
  return j;
}

}  // namespace

nlohmann::json RenderNodeProbeStatusForComparison(const NodeReport& report) {
  nlohmann::json probes = nlohmann::json::array();
  int attached = 0;
  for (const auto& p : report.probes) {
    probes.push_back(RenderProbe(p));
    if (p.state == ProbeState::kAttached) ++attached;
  }
  nlohmann::json pods = nlohmann::json::array();
  // The CRD caps pods at 512 items.
  for (size_t i = 0; i < report.pods.size() && i < 512; ++i)
    pods.push_back(RenderPod(report.pods[i]));
  return {{"kernel", RenderKernel(report.kernel)},
          {"probes", probes},
          {"probesSummary", std::to_string(attached) + "/" + std::to_string(report.probes.size())},
          {"pods", pods},
          {"podCount", report.pods.size()}};
}

nlohmann::json RenderNodeProbeStatus(const NodeReport& report) {
  nlohmann::json j = RenderNodeProbeStatusForComparison(report);
  j["reportedAt"] = FormatRfc3339(report.reported_at);
  return j;
}

bool ShouldWriteStatus(bool changed, std::optional<std::chrono::milliseconds> since_last_write,
                       std::chrono::milliseconds interval) {
  if (!since_last_write) return true;
  if (changed) return *since_last_write >= interval / 2;
  return *since_last_write >= interval + interval / 2;
}

}  // namespace limen::bpf
