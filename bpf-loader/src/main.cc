// limen-bpf-loader: the per-node eBPF agent.
//   kube (default)  watches ObservabilityPolicies and the Pods on its node, traces the pods
//                   the policies select, writes the node's NodeProbeState;
//   standalone      traces given pids / cgroups / container IDs without a cluster (local
//                   use, tests, benchmarks);
//   features        prints what the kernel supports.
// Both modes run the same Agent; only the PodSource and the StateSink differ (sources.h).
// Every mode that serves HTTP does it through lib/serving (/metrics, /healthz, /readyz).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include <spdlog/spdlog.h>

#include "limen/bpf/agent.h"
#include "limen/bpf/agent_server.h"
#include "limen/bpf/cli.h"
#include "limen/bpf/kube_pods.h"
#include "limen/bpf/kube_sink.h"
#include "limen/bpf/kube_source.h"
#include "limen/bpf/node_probe_state.h"
#include "limen/kube/config.h"
#include "limen/kube/http_client.h"
#include "limen/kube/informer.h"
#include "limen/serving/logging.h"

namespace {

using namespace limen::bpf;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

constexpr char kUsage[] =
    "usage: limen-bpf-loader [kube] [--node-name NAME] [--kubeconfig PATH] "
    "[--metrics-addr HOST:PORT] [--report-interval-ms N] [--resync-interval-ms N] "
    "[--ringbuf-bytes N]\n"
    "       limen-bpf-loader standalone (--pid N | --cgroup PATH | --container-id ID)... "
    "[--pod NS/NAME[/UID]] [--container NAME] [--probes a,b] [--metrics-addr HOST:PORT] "
    "[--print-json] [--report-interval-ms N] [--ringbuf-bytes N] [--duration-ms N]\n"
    "       limen-bpf-loader features\n"
    "common: [--log-level info] [--log-format json|text]\n";

int Features() {
  NodeReport r;
  r.kernel = ProbeKernelFeatures();
  nlohmann::json j = RenderNodeProbeStatus(r)["kernel"];
  const auto& k = r.kernel;
  for (const auto& [name, f] :
       std::initializer_list<std::pair<const char*, const Feature*>>{{"btf", &k.btf},
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

// Starts the HTTP endpoint when an address is given; prints "metrics-port N" on stderr for
// scripts and tests (the port is picked here when the address says :0).
bool Serve(AgentServer& server, const std::string& address) {
  if (address.empty()) return true;
  if (limen::Status s = server.Start(address); !s.ok()) {
    spdlog::error("metrics: {}", s.ToString());
    return false;
  }
  spdlog::info("serving /metrics, /healthz, /readyz on port {}", server.port());
  std::cerr << "metrics-port " << server.port() << std::endl;
  return true;
}

// Sets g_stop after `ms` (0 = never).
std::thread StopAfter(int64_t ms) {
  if (ms <= 0) return {};
  return std::thread([ms] {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!g_stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    g_stop.store(true);
  });
}

AgentOptions Options(const CliConfig& cfg) {
  AgentOptions opts;
  opts.node = cfg.node;
  opts.loader.probes = cfg.probes;
  opts.loader.ringbuf_bytes = cfg.ringbuf_bytes;
  // Only standalone --pid targets use the pid filter; kube mode traces cgroups.
  opts.loader.trace_pids = false;
  for (const auto& c : cfg.pod.containers) opts.loader.trace_pids |= !c.pids.empty();
  opts.report_interval = std::chrono::milliseconds(cfg.report_interval_ms);
  opts.resync_interval = std::chrono::milliseconds(cfg.resync_interval_ms);
  return opts;
}

int Standalone(const CliConfig& cfg) {
  // Size cpprestsdk's pool (lib/serving's listener) before anything starts it: its default
  // is 40 threads, and the agent serves a scrape every few seconds.
  limen::kube::InitializeHttpThreadPool(2);
  StaticPodSource source({cfg.pod});
  JsonLinesSink sink(std::cout);
  Agent agent(Options(cfg), source, cfg.print_json ? &sink : nullptr);
  if (limen::Status s = agent.Start(); !s.ok()) {
    spdlog::error("start: {}", s.ToString());
    return 1;
  }
  AgentServer server(agent);
  if (!Serve(server, cfg.metrics_addr)) return 1;
  std::thread timer = StopAfter(cfg.duration_ms);
  agent.Run(g_stop);
  if (timer.joinable()) timer.join();
  server.Stop();
  return 0;
}

int Kube(CliConfig cfg) {
  if (cfg.node.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start-up, before any thread exists
    const char* env = std::getenv("NODE_NAME");
    cfg.node = env ? env : "";
  }
  if (cfg.node.empty()) {
    spdlog::error("kube mode needs the node's name: --node-name or $NODE_NAME (downward API)");
    return 2;
  }
  if (cfg.metrics_addr.empty()) cfg.metrics_addr = "0.0.0.0:9464";
  limen::kube::InitializeHttpThreadPool(4);
  limen::kube::ConfigSources sources;
  sources.kubeconfig_path = cfg.kubeconfig;
  auto config = limen::kube::LoadConfig(sources);
  if (!config.ok()) {
    spdlog::error("kubernetes config: {}", config.status().ToString());
    return 1;
  }
  limen::kube::HttpClientOptions client_opts;
  client_opts.user_agent = "limen-bpf-loader/" + cfg.node;
  auto client = limen::kube::HttpClient::Create(*config, client_opts);
  if (!client.ok()) {
    spdlog::error("kubernetes client: {}", client.status().ToString());
    return 1;
  }
  spdlog::info("node {}: apiserver {} ({})", cfg.node, (*config).server, (*config).source);

  limen::kube::InformerOptions pod_opts;
  pod_opts.watcher.field_selector = "spec.nodeName=" + cfg.node;
  pod_opts.transform = [](limen::kube::Object o) { return ProjectPod(std::move(o)); };
  limen::kube::Informer pods(**client, limen::kube::resources::kPods, pod_opts);
  limen::kube::InformerOptions policy_opts;
  policy_opts.transform = limen::kube::DropManagedFields;
  limen::kube::Informer policies(**client, kObservabilityPolicies, policy_opts);
  auto synced = [&] { return pods.HasSynced() && policies.HasSynced(); };

  KubePodSource source(pods.store(), policies.store(), synced);
  limen::kube::EventRecorderOptions event_opts;
  event_opts.reporting_controller = "limen.dev/bpf-loader";
  event_opts.reporting_instance = "limen-bpf-loader-" + cfg.node;
  limen::kube::EventRecorder events(**client, event_opts);
  NodeProbeStateWriter sink(**client, cfg.node, std::chrono::milliseconds(cfg.report_interval_ms),
                            limen::kube::RealClock::Instance(), &events);
  AgentOptions opts = Options(cfg);
  opts.probes_from_pods = true;
  Agent agent(opts, source, &sink);
  if (limen::Status s = agent.Start(); !s.ok()) {
    spdlog::error("start: {}", s.ToString());
    return 1;
  }
  AgentServer server(agent);
  server.AddReadiness("informers-synced", [&]() -> limen::Status {
    if (!pods.HasSynced()) return limen::Status::Unavailable("pods on this node not listed yet");
    if (!policies.HasSynced()) {
      return limen::Status::Unavailable("ObservabilityPolicies not listed yet");
    }
    return limen::Status::Ok();
  });
  if (!Serve(server, cfg.metrics_addr)) return 1;
  pods.Run();
  policies.Run();
  agent.Run(g_stop);  // its last report goes to the sink before it returns
  pods.Stop();
  policies.Stop();
  server.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  limen::kube::TakeOverSystemTrustStore();  // before any thread: it sets SSL_CERT_FILE
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cfg = ParseCli(args);
  if (!cfg.ok()) {
    std::cerr << "limen-bpf-loader: " << cfg.status().message() << "\n" << kUsage;
    return 2;
  }
  if (cfg->command == "help") {
    std::cout << kUsage;
    return 0;
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
  if (cfg->command == "features") return Features();
  if (cfg->command == "standalone") return Standalone(*cfg);
  return Kube(*cfg);
}
