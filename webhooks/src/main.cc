// limen-webhook: Limen's admission webhook (Pod injection, CR validation) and its offline
// tools. `limen-webhook [serve] --help` lists the flags; see docs/webhook.md.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <prometheus/registry.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "limen/kube/config.h"
#include "limen/kube/http_client.h"
#include "limen/serving/health.h"
#include "limen/serving/http_server.h"
#include "limen/serving/logging.h"
#include "limen/serving/observability.h"
#include "limen/webhook/admission.h"
#include "limen/webhook/cert_reloader.h"
#include "limen/webhook/cli.h"
#include "limen/webhook/config.h"
#include "limen/webhook/informer_source.h"
#include "limen/webhook/metrics.h"

namespace limen::webhook {
namespace {

constexpr const char* kUsage = R"(usage:
  limen-webhook [serve] --tls-cert-file F --tls-key-file F [flags]   run the webhook
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
)";

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Serve(const std::vector<std::string>& args) {
  std::string host = "0.0.0.0", cert, key, runtime_dir, config_file, kubeconfig, sidecar_image,
              locator, log_level = "info", log_format = "json";
  int port = 8443;
  bool older = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&](std::string& into) {
      if (i + 1 >= args.size()) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
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
  if (cert.empty() || key.empty() || port <= 0 || port > 65535) {
    std::cerr << "--tls-cert-file, --tls-key-file and a valid --port are required\n" << kUsage;
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

  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  CertReloader reloader({cert, key, runtime_dir + "/serving.pem", std::chrono::seconds(1)},
                        &metrics);
  if (Status s = reloader.Reload(); !s.ok()) {
    spdlog::error("serving certificate: {}", s.message());
    return 1;
  }

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
  options.max_body_bytes = 7 * 1024 * 1024;  // the apiserver's own request limit is 3 MiB
  serving::HttpServer server(options);
  server.Route("POST", "/mutate-pods",
               [&handler](const serving::Request& r) { return handler.MutatePods(r); });
  server.Route("POST", "/validate-limen",
               [&handler](const serving::Request& r) { return handler.ValidateLimen(r); });
  serving::AddObservabilityRoutes(server, registry, health);

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  source.Run();
  reloader.Start();
  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  spdlog::info("limen-webhook serving on {} (native sidecar: {})", server.Url(),
               config.native_sidecar);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("shutting down");
  // The apiserver stops sending once the endpoint goes; in-flight requests finish in Stop().
  server.Stop();
  reloader.Stop();
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
  if (!args.empty() && args[0].rfind("-", 0) != 0) {
    cmd = args[0];
    args.erase(args.begin());
  }
  using namespace limen::webhook;
  if (cmd == "serve") return Serve(args);
  if (cmd == "plan") return RunPlanCommand(args, false, std::cout, std::cerr);
  if (cmd == "inject") return RunPlanCommand(args, true, std::cout, std::cerr);
  if (cmd == "certs") return RunCertsCommand(args, std::cout, std::cerr);
  std::cerr << "unknown command " << cmd << "\n" << kUsage;
  return 2;
}
