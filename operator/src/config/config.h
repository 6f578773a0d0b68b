// limen-operator's configuration: one YAML file (the chart renders it from values) with
// command-line flags that override it. Parsing is pure (text/args → value) so every rule is
// unit-tested; errors name the file, the key or the flag.
//
// File (every key optional; unknown keys are errors, so typos fail):
//   kubeconfig: ""                 # "" = $KUBECONFIG, in-cluster, ~/.kube/config
//   metricsAddr: 127.0.0.1:8080    # /metrics, /healthz, /readyz (the chart sets 0.0.0.0)
//   leaderElection:
//     enabled: true
//     namespace: limen-system
//     leaseName: limen-operator
//     leaseDuration: 15s
//     renewDeadline: 10s
//     retryPeriod: 2s
//   identity: ""                   # "" = <hostname>_<pid>
//   watchNamespace: ""             # "" = every namespace; else only this one (NodeProbeStates
//                                  # are cluster-scoped and always watched)
//   workers: 2                     # per controller
//   logLevel: info                 # trace, debug, info, warn, error
//   logFormat: json                # json or text
//   reportInterval: 15s            # the node agents' interval; data older than 3× is stale
//   fieldManager: limen-operator
//   clientQPS: 50
//   clientBurst: 100
//   reconcilers:
//     wasmFilter:                  # WasmFilter validation (issue 9)
//       allowImageTags: false      # image sources must be pinned by @sha256: digest
//       maxModuleSize: 8Mi         # a quantity; larger modules are rejected
//       wasiImportModules: [wasi_snapshot_preview1]
//     resiliencePolicy:            # the Envoy bootstrap each policy is rendered into (issue 8)
//       appPorts: [8080]           # app ports the sidecar forwards to (inboundPort + i)
//       envoy:
//         adminPort: 15000         # bound to 127.0.0.1 only
//         statsPort: 15090
//         statsPath: /stats/prometheus
//         inboundPort: 15006
//         connectTimeout: 1s
//         healthCheckInterval: 10s
//         unhealthyThreshold: 3
//         healthyThreshold: 1
//         maxConnections: 1024     # Envoy circuit_breakers thresholds per cluster
//         maxPendingRequests: 1024
//         maxRequests: 1024
//         maxRetries: 64
// The outbound socket (/var/run/limen/outbound.sock) and the WASM module directory
// (/var/run/limen/wasm) are not settings: they are the injection contract the webhook mounts.
//
// Flags: --config FILE, --kubeconfig FILE, --metrics-addr HOST:PORT, --leader-elect[=BOOL],
// --lease-namespace NS, --identity ID, --workers N, --log-level L, --log-format F,
// --report-interval DURATION, --watch-namespace NS, --allow-image-tags[=BOOL], --max-module-size
// QUANTITY,
// --app-ports P[,P...] (both "--flag value" and "--flag=value").
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"
#include "limen/envoy/render.h"
#include "limen/reconcilers/wasmfilter/decisions.h"

namespace limen::op {

struct LeaderElectionSettings {
  bool enabled = true;
  std::string lease_namespace = "limen-system";
  std::string lease_name = "limen-operator";
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

struct OperatorConfig {
  std::string kubeconfig;
  std::string metrics_addr = "127.0.0.1:8080";
  LeaderElectionSettings leader_election;
  std::string identity;
  std::string watch_namespace;
  int workers = 2;
  std::string log_level = "info";
  std::string log_format = "json";
  std::chrono::nanoseconds report_interval = std::chrono::seconds(15);
  std::string field_manager = "limen-operator";
  double client_qps = 50;
  int client_burst = 100;
  // reconcilers.wasmFilter (field_manager is copied from fieldManager at startup).
  reconcilers::wasmfilter::Config wasm_filter;
  // reconcilers.resiliencePolicy.
  std::vector<int> app_ports = {8080};
  envoy::RenderConfig envoy;
};

// The command line after the program name: flags, and whether it is a subcommand.
struct Flags {
  std::optional<std::string> config;
  std::optional<std::string> kubeconfig;
  std::optional<std::string> metrics_addr;
  std::optional<bool> leader_elect;
  std::optional<std::string> lease_namespace;
  std::optional<std::string> identity;
  std::optional<std::string> watch_namespace;
  std::optional<int> workers;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::chrono::nanoseconds> report_interval;
  std::optional<bool> allow_image_tags;
  std::optional<int64_t> max_module_size;
  std::optional<std::vector<int>> app_ports;
  bool help = false;
};

StatusOr<Flags> ParseFlags(const std::vector<std::string>& args);
// `path` names the file in errors.
StatusOr<OperatorConfig> ParseConfigYaml(std::string_view text, const std::string& path);
void ApplyFlags(const Flags& flags, OperatorConfig& config);
Status Validate(const OperatorConfig& config);
// Flags → file (if --config) → flags over it → validation.
StatusOr<OperatorConfig> LoadOperatorConfig(const std::vector<std::string>& args);

struct HostPort {
  std::string host;
  uint16_t port = 0;
};
// "127.0.0.1:8080", "0.0.0.0:8080", "[::1]:8080"; the port must be 1..65535.
StatusOr<HostPort> ParseHostPort(std::string_view addr);

std::string Usage();

}  // namespace limen::op
