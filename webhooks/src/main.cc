// limen-webhook: Limen's admission webhook (Pod injection, CR validation) and its offline
// tools. `limen-webhook [serve] --help` lists the flags; see docs/webhook.md.
#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <prometheus/registry.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "limen/base/heap.h"
#include "limen/base/malloc_cache.h"
#include "limen/kube/config.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/http_client.h"
#include "limen/serving/health.h"
#include "limen/serving/http_server.h"
#include "limen/serving/logging.h"
#include "limen/serving/observability.h"
#include "limen/webhook/admission.h"
#include "limen/webhook/cert_manager.h"
#include "limen/webhook/cert_reloader.h"
#include "limen/webhook/cli.h"
#include "limen/webhook/config.h"
#include "limen/webhook/informer_source.h"
#include "limen/webhook/metrics.h"

namespace limen::webhook {
namespace {

constexpr const char* kUsage = R"(usage:
  limen-webhook [serve] --tls-cert-file F --tls-key-file F [flags]   run the webhook
  limen-webhook [serve] --cert-secret NS/NAME --cert-dns NAME [flags] run it with its own CA
  limen-webhook plan --pod POD.yaml --policy RESPOL.yaml [...]       dry run: print the patch
  limen-webhook inject -f POD.yaml --policies DIR [...]              dry run: print the Pod
  limen-webhook certs --out DIR --ip IP|--dns NAME [--reuse-ca]      generate CA + serving cert

serve flags:
  --host H                 listen address (default 0.0.0.0)
  --port N                 HTTPS port (default 8443)
  --tls-cert-file F        serving certificate chain (PEM), hot-reloaded
  --tls-key-file F         its private key (PEM), hot-reloaded
  --tls-runtime-dir D      where the combined PEM is published (default: a private temp dir)
  --config F               injector config (YAML; keys of docs/webhook.md)
  --sidecar-image REF      sidecar image, pinned by digest (overrides the config)
  --locator ADDR           LIMEN_LOCATOR value (overrides the config)
  --older-cluster          inject a regular container (cluster older than 1.29)
  --kubeconfig F           kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --log-level L            trace|debug|info|warn|error (default info)
  --log-format json|text   (default json)

certificate management (instead of --tls-cert-file/--tls-key-file; docs/webhook.md):
  --cert-secret NS/NAME    the Secret holding the CA and serving certificate (created if
                           absent; NAME alone: namespace $POD_NAMESPACE or limen-system)
  --webhook-config NAME    Mutating- and ValidatingWebhookConfiguration whose caBundle is kept
                           current (or --mutating-webhook-config / --validating-webhook-config)
  --cert-dns NAME          serving certificate DNS name (repeatable)
  --cert-ip IP             serving certificate IP address (repeatable)
  --ca-validity D          CA lifetime (default 8760h)
  --ca-renew-before D      start a CA rotation this long before the CA expires (default 1440h)
  --cert-validity D        serving certificate lifetime (default 720h)
  --renew-before D         re-issue the serving certificate this long before expiry (default 240h)
  --ca-propagation-delay D serve from a new CA only this long after the old+new caBundle is
                           seen in every webhook entry (default 30s)
  --cert-sync-interval D   re-read the Secret at least this often (default 30s)
)";

// glibc keeps what closed connections freed (their TLS state and buffers, ≈ 45 KB each:
// ≈ 3 MB after a burst of 64) as free chunks inside its heaps, resident. malloc_trim hands
// those pages back to the kernel; it locks each arena while it walks it, so it runs from the
// main loop only after connections closed, and at most once a second.
class MemoryReturner {
 public:
  void Check(serving::HttpServer& server) {
    const size_t open_connections = server.OpenConnections();
    pending_ = pending_ || open_connections < open_before_;
    open_before_ = open_connections;
    const auto now = std::chrono::steady_clock::now();
    if (!pending_ || now - last_ < std::chrono::seconds(1)) return;
    // The handler threads' malloc caches (2,000 blocks per size) pin pages all over the
    // heap; new threads hand them back first.
    server.RenewHandlerThreads();
    ReleaseFreeHeap();
    pending_ = false;
    last_ = now;
  }

 private:
  size_t open_before_ = 0;
  bool pending_ = false;
  std::chrono::steady_clock::time_point last_{};
};

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Serve(const std::vector<std::string>& args) {
  std::string host = "0.0.0.0", cert, key, runtime_dir, config_file, kubeconfig, sidecar_image,
              locator, log_level = "info", log_format = "json";
  int port = 8443;
  bool older = false;
  CertManagerFlags cert_flags;
  for (size_t i = 0; i < args.size(); ++i) {
    auto consumed = ParseCertManagerFlag(args, i, cert_flags);
    if (!consumed.ok()) {
      std::cerr << consumed.status().message() << "\n";
      return 2;
    }
    if (*consumed) continue;
    const std::string& a = args[i];
    auto next = [&](std::string& into) {
      if (i + 1 >= args.size()) {
        std::cerr << a << " needs a value\n";
        std::exit(2);  // NOLINT(concurrency-mt-unsafe): flag parsing, no threads yet
      }
      into = args[++i];
    };
    std::string v;
    if (a == "--host")
      next(host);
    else if (a == "--port") {
      next(v);
      port = std::atoi(v.c_str());
    } else if (a == "--tls-cert-file")
      next(cert);
    else if (a == "--tls-key-file")
      next(key);
    else if (a == "--tls-runtime-dir")
      next(runtime_dir);
    else if (a == "--config")
      next(config_file);
    else if (a == "--sidecar-image")
      next(sidecar_image);
    else if (a == "--locator")
      next(locator);
    else if (a == "--older-cluster")
      older = true;
    else if (a == "--kubeconfig")
      next(kubeconfig);
    else if (a == "--log-level")
      next(log_level);
    else if (a == "--log-format")
      next(log_format);
    else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "unknown argument " << a << "\n" << kUsage;
      return 2;
    }
  }
  if (Status s = serving::InitLogging(
          "limen-webhook", log_level,
          log_format == "text" ? serving::LogFormat::kText : serving::LogFormat::kJson);
      !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  if (Status s = ValidateCertManagerFlags(cert_flags); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  const bool managed = cert_flags.enabled();
  if ((!managed && (cert.empty() || key.empty())) || cert.empty() != key.empty() || port <= 0 ||
      port > 65535) {
    std::cerr << "--tls-cert-file and --tls-key-file (or --cert-secret), and a valid --port are "
                 "required\n"
              << kUsage;
    return 2;
  }
  InjectorConfig config;
  if (!config_file.empty()) {
    if (Status s = LoadConfigFile(config_file, config); !s.ok()) {
      spdlog::error("{}", s.message());
      return 2;
    }
  }
  if (!sidecar_image.empty()) config.sidecar_image = sidecar_image;
  if (!locator.empty()) config.locator = locator;
  if (older) config.native_sidecar = false;
  if (Status s = Validate(config); !s.ok()) {
    spdlog::error("invalid injector config: {}", s.message());
    return 2;
  }

  const bool own_runtime_dir = runtime_dir.empty();
  if (own_runtime_dir) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "limen-webhook-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      spdlog::error("cannot create a runtime directory under {}", tmpl);
      return 1;
    }
    runtime_dir = tmpl;
  }

  if (managed && cert.empty()) {
    cert = runtime_dir + "/tls.crt";
    key = runtime_dir + "/tls.key";
  }

  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  CertReloader reloader({cert, key, runtime_dir + "/serving.pem", std::chrono::seconds(1)},
                        &metrics);
  if (!managed) {
    if (Status s = reloader.Reload(); !s.ok()) {
      spdlog::error("serving certificate: {}", s.message());
      return 1;
    }
  }

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  kube::InitializeHttpThreadPool(8);
  kube::ConfigSources sources;
  sources.kubeconfig_path = kubeconfig;
  auto kconfig = kube::LoadConfig(sources);
  if (!kconfig.ok()) {
    spdlog::error("kubeconfig: {}", kconfig.status().message());
    return 1;
  }
  auto client = kube::HttpClient::Create(std::move(kconfig).value());
  if (!client.ok()) {
    spdlog::error("kubernetes client: {}", client.status().message());
    return 1;
  }
  // Certificate management: the first certificate must exist before the TLS server starts.
  std::unique_ptr<kube::EventRecorder> events;
  std::unique_ptr<CertManager> cert_manager;
  if (managed) {
    const char* pod = std::getenv("POD_NAME");  // NOLINT(concurrency-mt-unsafe): nobody setenvs
    char host_name[256] = {};
    ::gethostname(host_name, sizeof host_name - 1);
    events = std::make_unique<kube::EventRecorder>(
        **client,
        kube::EventRecorderOptions{"limen.dev/webhook", pod != nullptr && *pod ? pod : host_name});
    CertManager::Options o;
    o.secret_namespace = cert_flags.secret_namespace;
    o.secret_name = cert_flags.secret_name;
    o.mutating_webhook_configuration = cert_flags.mutating_webhook_configuration;
    o.validating_webhook_configuration = cert_flags.validating_webhook_configuration;
    o.policy = cert_flags.policy;
    o.cert_file = cert;
    o.key_file = key;
    o.resync = cert_flags.sync_interval;
    o.on_files_written = [&reloader] { (void)reloader.Reload(); };  // logged inside
    cert_manager = std::make_unique<CertManager>(**client, std::move(o), &metrics, events.get());
    spdlog::info("certificate management: Secret {}/{}, webhook configurations \"{}\" / \"{}\"",
                 cert_flags.secret_namespace, cert_flags.secret_name,
                 cert_flags.mutating_webhook_configuration,
                 cert_flags.validating_webhook_configuration);
    if (Status s = cert_manager->Bootstrap(std::chrono::minutes(5), [] { return g_stop != 0; });
        !s.ok() || !reloader.Loaded()) {
      spdlog::error("no serving certificate: {}", s.ok() ? "not loaded" : s.message());
      return 1;
    }
  }

  InformerPolicySource source(**client);
  AdmissionHandler handler(source, config, &metrics);

  serving::HealthChecks health;
  health.Add(serving::HealthChecks::Kind::kReadiness, "informers-synced", [&source] {
    return source.HasSynced() ? Status::Ok() : Status::Unavailable("informers not synced");
  });
  health.Add(serving::HealthChecks::Kind::kReadiness, "certificate-loaded", [&reloader] {
    return reloader.Loaded() ? Status::Ok() : Status::Unavailable("no serving certificate");
  });

  serving::HttpServerOptions options;
  options.host = host;
  options.port = static_cast<uint16_t>(port);
  options.tls = serving::TlsFiles{reloader.served_file(), reloader.served_file()};
  options.max_body_bytes = size_t{7} * 1024 * 1024;  // the apiserver's own request limit is 3 MiB
  // A handler holds the decoded AdmissionReview and the planned patch (many times the
  // request's size) while it runs. As many handler threads as there are CPUs bound that
  // memory, and the malloc caches that serve it, whatever the number of connections, at no
  // cost in throughput: handlers never wait on I/O (policies come from the informers' caches).
  options.max_concurrent_handlers = std::max(2u, std::thread::hardware_concurrency());
  serving::HttpServer server(options);
  server.Route("POST", "/mutate-pods",
               [&handler](const serving::Request& r) { return handler.MutatePods(r); });
  server.Route("POST", "/validate-limen",
               [&handler](const serving::Request& r) { return handler.ValidateLimen(r); });
  serving::AddObservabilityRoutes(server, registry, health);

  source.Run();
  // With certificate management the manager writes the files and reloads them itself.
  if (managed) {
    cert_manager->Start();
  } else {
    reloader.Start();
  }
  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");  // NOLINT(concurrency-mt-unsafe)
  spdlog::info("limen-webhook serving on {} (native sidecar: {}; GLIBC_TUNABLES={})", server.Url(),
               config.native_sidecar, tunables == nullptr ? "<unset>" : tunables);
  bool started = false;
  for (MemoryReturner returner; !g_stop;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    returner.Check(server);
    if (!started && source.HasSynced() && reloader.Loaded()) {
      // Start-up is over: what it alone ran (certificate and TLS set-up, the first lists)
      // need not stay mapped (limen/base/heap.h).
      started = true;
      ReleaseFreeHeap();
      spdlog::info("ready; dropped {} kB of start-up pages", DropStartupPages());
    }
  }
  spdlog::info("shutting down");
  // The apiserver stops sending once the endpoint goes; in-flight requests finish in Stop().
  server.Stop();
  if (cert_manager) cert_manager->Stop();
  reloader.Stop();
  if (events) events->Shutdown();
  source.Stop();
  std::error_code ec;
  if (own_runtime_dir) std::filesystem::remove_all(runtime_dir, ec);
  return 0;
}

}  // namespace
}  // namespace limen::webhook

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string cmd = "serve";
  if (!args.empty() && args[0].rfind('-', 0) != 0) {
    cmd = args[0];
    args.erase(args.begin());
  }
  using namespace limen::webhook;
  if (cmd == "serve") {
    // Admissions run on max_concurrent_handlers threads, each freeing a decoded Pod of a few
    // hundred blocks per request: a per-thread cache of 2,000 blocks instead of glibc's 7
    // serves those without arena locks (≈ 40 % less CPU per admission, docs/benchmarks.md).
    limen::SizeMallocCacheOrReexec(argv, 2000);
    // Two malloc arenas instead of glibc's 8 per core: every connection has its own thread,
    // and each arena a thread touches keeps its high-water mark resident. On two cores the
    // contention this adds is not measurable; the memory it saves at 64 connections is.
    mallopt(M_ARENA_MAX, 2);  // NOLINT(concurrency-mt-unsafe): no other thread exists yet
    limen::kube::TakeOverSystemTrustStore();
    return Serve(args);
  }
  if (cmd == "plan") return RunPlanCommand(args, false, std::cout, std::cerr);
  if (cmd == "inject") return RunPlanCommand(args, true, std::cout, std::cerr);
  if (cmd == "certs") return RunCertsCommand(args, std::cout, std::cerr);
  std::cerr << "unknown command " << cmd << "\n" << kUsage;
  return 2;
}
