#include "app/app.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "app/heap_release.h"
#include "app/wiring.h"
#include "dashboard/routes.h"
#include "dashboard/summary.h"
#include "limen/base/heap.h"
#include "limen/envoy/render.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/http_client.h"
#include "limen/kube/leader_election.h"
#include "limen/reconcilers/resiliencepolicy/controller.h"
#include "limen/reconcilers/wasmfilter/controller.h"
#include "limen/serving/health.h"
#include "limen/serving/http_server.h"
#include "limen/serving/logging.h"
#include "limen/serving/observability.h"
#include "reconcilers/instrumentedworkload/reconciler.h"
#include "reconcilers/observabilitypolicy/reconciler.h"
namespace limen::op {
namespace {

using namespace std::chrono_literals;

// One-shot shutdown request with the exit code of whoever asked first.
class ShutdownLatch {
 public:
  void Request(int code) {
    std::lock_guard lock(mu_);
    if (requested_) return;
    requested_ = true;
    code_ = code;
    cv_.notify_all();
  }
  int Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return requested_; });
    return code_;
  }
  bool WaitFor(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [this] { return requested_; });
  }
  bool Requested() {
    std::lock_guard lock(mu_);
    return requested_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  int code_ = 0;
};

std::string DefaultIdentity() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "limen-operator");
  return std::string(host) + "_" + std::to_string(getpid());
}

// Waits for SIGTERM/SIGINT (blocked in every thread by main) on a thread of its own.
class SignalWaiter {
 public:
  explicit SignalWaiter(ShutdownLatch& latch) {
    thread_ = std::thread([&latch] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGUSR1);  // our own wake-up at shutdown
      int sig = 0;
      sigwait(&set, &sig);
      if (sig != SIGUSR1) {
        spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        latch.Request(0);
      }
    });
  }
  ~SignalWaiter() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  std::thread thread_;
};

// What the HTTP routes read, filled in as the process comes up.
struct LiveState {
  std::atomic<Informers*> informers{nullptr};
  std::atomic<bool> leading{false};
};

// /metrics, /healthz, /readyz and the dashboard (on every replica, from this process's caches
// only: no apiserver call). Until the informers exist /readyz says so, and the dashboard
// shows empty, unsynced caches.
StatusOr<std::unique_ptr<serving::HttpServer>> StartServing(
    const OperatorConfig& config, const std::string& identity, prometheus::Registry& registry,
    serving::HealthChecks& health, const iwl::WorkloadMetrics& workloads, LiveState& live) {
  health.Add(serving::HealthChecks::Kind::kLiveness, "ping", [] { return Status::Ok(); });
  health.Add(serving::HealthChecks::Kind::kReadiness, "informers-synced", [&live] {
    const Informers* informers = live.informers.load();
    if (informers == nullptr) return Status::Unavailable("starting: no Kubernetes client yet");
    return informers->HasSynced() ? Status::Ok() : Status::Unavailable("caches not synced yet");
  });
  auto addr = ParseHostPort(config.metrics_addr);
  if (!addr.ok()) return addr.status();
  serving::HttpServerOptions options;
  options.host = addr->host;
  options.port = addr->port;
  auto server = std::make_unique<serving::HttpServer>(options);
  serving::AddObservabilityRoutes(*server, registry, health,
                                  [&workloads](std::string& out) { workloads.AppendText(out); });
  dashboard::AddDashboardRoutes(*server, [&live, &config, identity] {
    Informers* informers = live.informers.load();
    const dashboard::OperatorInfo info{identity, live.leading.load(),
                                       informers != nullptr && informers->HasSynced(),
                                       config.watch_namespace, config.report_interval};
    return dashboard::BuildSummary(
        informers == nullptr
            ? dashboard::CacheSnapshot{}
            : dashboard::TakeSnapshot(informers->caches(), informers->wasm_filters().store()),
        info, std::chrono::system_clock::now());
  });
  if (Status s = server->Start(); !s.ok()) return s;
  return server;
}

}  // namespace

int RunOperator(const OperatorConfig& config) {
  if (Status s = serving::InitLogging(
          "limen-operator", config.log_level,
          config.log_format == "text" ? serving::LogFormat::kText : serving::LogFormat::kJson);
      !s.ok()) {
    std::fprintf(stderr, "limen-operator: %s\n", s.ToString().c_str());
    return 2;
  }
  ShutdownLatch latch;
  SignalWaiter signals(latch);
  const std::string identity = config.identity.empty() ? DefaultIdentity() : config.identity;

  // Serving first — before the kubeconfig, the client's thread pool and its TLS setup — so
  // that /healthz answers within milliseconds of exec.
  auto registry = std::make_shared<prometheus::Registry>();
  serving::HealthChecks health;
  LiveState live;
  iwl::WorkloadMetrics workload_metrics(kube::RealClock::Instance());
  auto server = StartServing(config, identity, *registry, health, workload_metrics, live);
  if (!server.ok()) {
    spdlog::error("serving on {}: {}", config.metrics_addr, server.status().ToString());
    return 1;
  }
  spdlog::info("serving /metrics, /healthz, /readyz, /dashboard on {}", (*server)->Url());

  kube::InitializeHttpThreadPool(8);
  kube::ConfigSources sources;
  sources.kubeconfig_path = config.kubeconfig;
  auto kube_config = kube::LoadConfig(sources);
  if (!kube_config.ok()) {
    spdlog::error("loading the Kubernetes configuration: {}", kube_config.status().ToString());
    return 1;
  }
  kube::HttpClientOptions client_options;
  client_options.rate_limit.qps = config.client_qps;
  client_options.rate_limit.burst = config.client_burst;
  client_options.user_agent = "limen-operator/0.1";
  auto client_or = kube::HttpClient::Create(*kube_config, client_options);
  if (!client_or.ok()) {
    spdlog::error("creating the Kubernetes client: {}", client_or.status().ToString());
    return 1;
  }
  kube::HttpClient& client = **client_or;
  spdlog::info(
      "limen-operator {} starting: apiserver {} ({}), leader election {}, watching {}", identity,
      kube_config->server, kube_config->source, config.leader_election.enabled ? "on" : "off",
      config.watch_namespace.empty() ? "every namespace" : "namespace " + config.watch_namespace);

  Informers informers(client, config.watch_namespace);
  live.informers = &informers;
  std::atomic<bool>& leading = live.leading;

  kube::EventRecorderOptions event_options;
  event_options.reporting_controller = "limen.dev/operator";
  event_options.reporting_instance = identity;
  kube::EventRecorder events(client, event_options);

  // Reconcilers and controllers; their queues fill from the informers at once, the workers
  // start only on the leader.
  const Caches caches = informers.caches();
  iwl::Options iwl_options;
  iwl_options.field_manager = config.field_manager;
  iwl_options.report_interval = config.report_interval;
  iwl::Reconciler iwl_reconciler(client, caches, events, kube::RealClock::Instance(),
                                 workload_metrics, iwl_options);
  auto iwl_controller = iwl::NewController(iwl_reconciler, config.workers, *registry);
  obspol::Options obs_options;
  obs_options.field_manager = config.field_manager;
  obspol::Reconciler obs_reconciler(client, caches, events, kube::RealClock::Instance(),
                                    obs_options);
  auto obs_controller = obspol::NewController(obs_reconciler, config.workers, *registry);

  namespace wf = reconcilers::wasmfilter;
  namespace rp = reconcilers::resiliencepolicy;
  wf::Config wasm_config = config.wasm_filter;
  wasm_config.field_manager = config.field_manager;
  auto wasm_controller = wf::WasmFilterController::Create(
      wf::Dependencies{client, informers.wasm_filters(), informers.wasm_sources(), events,
                       kube::RealClock::Instance(), *registry, config.workers},
      std::move(wasm_config));
  const envoy::EnvoyConfigRenderer renderer(config.envoy);
  const CacheReachCounter reach(caches);
  rp::Config policy_config;
  policy_config.app_ports = config.app_ports;
  policy_config.field_manager = config.field_manager;
  auto policy_controller = rp::ResiliencePolicyController::Create(
      rp::Dependencies{client, informers.resilience_policies(), informers.wasm_filters(),
                       informers.limen_config_maps(), events, kube::RealClock::Instance(),
                       *registry, config.workers, &reach},
      renderer, std::move(policy_config));
  Wire(informers,
       Controllers{iwl_controller.get(), obs_controller.get(), &policy_controller->controller()});
  informers.Run();
  while (!informers.HasSynced() && !latch.WaitFor(100ms)) {
  }
  if (!latch.Requested()) {
    // The initial lists leave most of the heap they were parsed in free, and malloc keeps
    // it: return it to the system now that every cache is filled (≈ 20–100 MB at 10,000
    // Pods, docs/benchmarks.md). Later relists are trimmed by their watchers.
    ReleaseFreeHeap();
    // What start-up alone ran (configuration, TLS set-up, the lists' first decoding) need not
    // stay mapped (limen/base/heap.h); the reconciles fault back what they use.
    spdlog::info("caches synced; dropped {} kB of start-up pages", DropStartupPages());
  }
  // What later bursts of work leave free (the initial reconciles, storms, relists, scrapes)
  // is returned once each burst is over (app/heap_release.h).
  std::thread heap_release([&latch] {
    ReleaseHeapWhenQuiet([&latch](std::chrono::milliseconds d) { return latch.WaitFor(d); });
  });

  auto start_controllers = [&] {
    leading = true;
    iwl_controller->Start();
    obs_controller->Start();
    wasm_controller->Start();
    policy_controller->Start();
    spdlog::info("leading: controllers started");
  };

  std::unique_ptr<kube::LeaderElector> elector;
  std::thread election;
  if (!latch.Requested()) {
    if (config.leader_election.enabled) {
      kube::LeaderElectionConfig le;
      le.lease_namespace = config.leader_election.lease_namespace;
      le.lease_name = config.leader_election.lease_name;
      le.identity = identity;
      le.lease_duration = config.leader_election.lease_duration;
      le.renew_deadline = config.leader_election.renew_deadline;
      le.retry_period = config.leader_election.retry_period;
      le.release_on_cancel = true;
      le.on_started_leading = start_controllers;
      le.on_stopped_leading = [&] {
        if (!latch.Requested()) {
          spdlog::error("lost the leader lease; exiting so that a fresh process follows");
          latch.Request(1);
        }
      };
      le.on_new_leader = [&identity](const std::string& leader) {
        if (leader != identity) spdlog::info("leader is {}", leader);
      };
      auto created = kube::LeaderElector::Create(client, le);
      if (!created.ok()) {
        spdlog::error("leader election: {}", created.status().ToString());
        latch.Request(2);
      } else {
        elector = std::move(*created);
        election = std::thread([&] { elector->Run(); });
      }
    } else {
      start_controllers();
    }
  }

  const int code = latch.Wait();
  spdlog::info("shutting down: stopping controllers");
  iwl_controller->Stop();
  obs_controller->Stop();
  wasm_controller->Stop();
  policy_controller->Stop();
  if (elector) {
    elector->Stop();  // releases the Lease if we hold it
    election.join();
  }
  heap_release.join();
  spdlog::info("flushing events");
  events.Shutdown();
  (*server)->Stop();  // before the informers the routes read go away
  informers.Stop();
  spdlog::info("stopped (exit code {})", code);
  return code;
}

}  // namespace limen::op
