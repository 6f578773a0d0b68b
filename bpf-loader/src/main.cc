// limen-bpf-loader: the per-node eBPF agent. `standalone` traces given pids / cgroups /
// container IDs without a cluster (local use, tests, benchmarks); `features` prints what
// the kernel supports. The Kubernetes mode plugs a PodSource and a StateSink into the same
// Agent (see sources.h).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include <spdlog/spdlog.h>

#include "limen/bpf/agent.h"
#include "limen/bpf/cli.h"
#include "limen/bpf/http_endpoint.h"
#include "limen/bpf/metrics.h"
#include "limen/bpf/node_probe_state.h"
#include "limen/serving/logging.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

int Features() {
  limen::bpf::NodeReport r;
  r.kernel = limen::bpf::ProbeKernelFeatures();
  nlohmann::json j = limen::bpf::RenderNodeProbeStatus(r)["kernel"];
  const auto& k = r.kernel;
  for (const auto& [name, f] :
       std::initializer_list<std::pair<const char*, const limen::bpf::Feature*>>{
           {"btf", &k.btf},
           {"ringBuffer", &k.ring_buffer},
           {"rawTracepoint", &k.raw_tp},
           {"tpBtf", &k.tp_btf},
           {"tracefs", &k.tracefs},
           {"tracepoint", &k.tracepoint},
           {"uprobes", &k.uprobes},
           {"kprobes", &k.kprobes},
           {"fentry", &k.fentry}}) {
    j["detail"][name] = {{"available", f->available}, {"reason", f->reason}};
  }
  std::cout << j.dump(2) << std::endl;
  return 0;
}

int Standalone(const limen::bpf::CliConfig& cfg) {
  using namespace limen::bpf;
  StaticPodSource source({cfg.pod});
  JsonLinesSink sink(std::cout);
  AgentOptions opts;
  opts.node = cfg.node;
  opts.loader.probes = cfg.probes;
  opts.loader.ringbuf_bytes = cfg.ringbuf_bytes;
  opts.report_interval = std::chrono::milliseconds(cfg.report_interval_ms);
  Agent agent(opts, source, cfg.print_json ? &sink : nullptr);
  if (limen::Status s = agent.Start(); !s.ok()) {
    spdlog::error("start: {}", s.ToString());
    return 1;
  }
  std::unique_ptr<HttpEndpoint> http;
  if (!cfg.metrics_addr.empty()) {
    auto collectable = std::make_shared<ReportCollectable>([&agent] { return agent.Snapshot(); });
    http = std::make_unique<HttpEndpoint>(
        std::vector<std::shared_ptr<prometheus::Collectable>>{collectable},
        [&agent] { return agent.Ready(); });
    if (limen::Status s = http->Start(cfg.metrics_addr); !s.ok()) {
      spdlog::error("metrics: {}", s.ToString());
      return 1;
    }
    spdlog::info("serving /metrics, /healthz, /readyz on port {}", http->port());
    std::cerr << "metrics-port " << http->port() << std::endl;  // for scripts and tests
  }
  std::thread timer;
  if (cfg.duration_ms > 0) {
    timer = std::thread([ms = cfg.duration_ms] {
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (!g_stop.load() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      g_stop.store(true);
    });
  }
  agent.Run(g_stop);
  if (timer.joinable()) timer.join();
  if (http) http->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cfg = limen::bpf::ParseCli(args);
  if (!cfg.ok()) {
    std::cerr
        << "limen-bpf-loader: " << cfg.status().message() << "\n"
        << "usage: limen-bpf-loader standalone (--pid N | --cgroup PATH | --container-id ID)... "
           "[--pod NS/NAME[/UID]] [--container NAME] [--probes a,b] [--metrics-addr HOST:PORT] "
           "[--print-json] [--report-interval-ms N] [--ringbuf-bytes N] [--duration-ms N]\n"
           "       limen-bpf-loader features\n";
    return 2;
  }
  auto fmt = cfg->log_format == "text" ? limen::serving::LogFormat::kText
                                       : limen::serving::LogFormat::kJson;
  if (limen::Status s = limen::serving::InitLogging("bpf-loader", cfg->log_level, fmt); !s.ok()) {
    std::cerr << "limen-bpf-loader: " << s.message() << "\n";
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return cfg->command == "features" ? Features() : Standalone(*cfg);
}
