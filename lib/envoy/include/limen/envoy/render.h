// limen::envoy — renders a ResiliencePolicy into the Envoy v3 bootstrap of Limen's sidecar.
//
// The abstraction: a PURE function
//
//   Render(policy, wasm filters, app ports, operator config) → bootstrap JSON + content hash
//
// with no I/O, no clock and no randomness, so the same inputs always give the same bytes and
// the same hash. The mapping (Sentinel / Istio / Envoy terms side by side, and what Envoy
// cannot express) is documented in docs/resilience.md; the code is split by concern in
// src/ (plan, clusters, routes, listeners, wasm, local replies).
//
// A policy that cannot be rendered — a combination the CRD cannot forbid, such as a reference
// to a WasmFilter that is missing or not Validated, a breaker that matches only CONNECT,
// durations that do not parse, retries.perTryTimeout > timeout — yields a non-OK Status whose
// message names the field and the reason ("spec.wasmFilters[0] (authz): ..."). Nothing is
// ever half-rendered: a result is either a complete bootstrap or an error.
//
// Who calls what:
//   - limen-operator's ResiliencePolicy reconciler holds a `ConfigRenderer` (an interface, so
//     its tests can substitute a fake) and, per policy, calls `Render` and then
//     `RenderConfigMap`, writes the ConfigMap, and copies `ConfigMapName` and the hash into
//     status.renderedConfig; on error it sets Ready=False with the Status message.
//   - limen-webhook mounts each WasmFilter's module at `WasmModulePath(filter name)` and
//     stamps the hash into the Pod's limen.dev/injected annotation ("policy@hash").
//
// Thread-safety: free functions are pure; EnvoyConfigRenderer is immutable after
// construction and safe to use from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/base/status.h"

namespace limen::envoy {

using Json = nlohmann::json;

// The ConfigMap annotation carrying the rendered config's hash.
inline constexpr std::string_view kAnnotationConfigHash = "limen.dev/config-hash";
// The ConfigMap data key holding the bootstrap.
inline constexpr std::string_view kConfigMapKey = "envoy.json";
// Where the app reaches its upstreams (DESIGN.md: LIMEN_SOCKET).
inline constexpr std::string_view kOutboundSocketPath = "/var/run/limen/outbound.sock";
// The directory under which the webhook mounts WASM modules (one folder per WasmFilter).
inline constexpr std::string_view kWasmModuleDir = "/var/run/limen/wasm";

// Operator settings: the same for every policy (they come from the operator's config file).
struct RenderConfig {
  int admin_port = 15000;  // Envoy admin, bound to 127.0.0.1 only
  int stats_port = 15090;  // listener that exposes Prometheus stats to scrapers
  std::string stats_path = "/stats/prometheus";
  int inbound_port = 15006;  // app_ports[i] (sorted) is served on inbound_port + i
  std::string outbound_socket = std::string(kOutboundSocketPath);
  std::string wasm_module_dir = std::string(kWasmModuleDir);
  int connect_timeout_millis = 1000;  // upstream and app clusters
  // Active health checks (healthCheck): interval and thresholds; the timeout is the policy's.
  int health_check_interval_seconds = 10;
  int unhealthy_threshold = 3;
  int healthy_threshold = 1;
  // Envoy circuit_breakers thresholds per cluster (Sentinel has no equivalent; overflow is
  // answered with the policy's degradedResponse).
  int max_connections = 1024;
  int max_pending_requests = 1024;
  int max_requests = 1024;
  int max_retries = 64;
};

struct RenderResult {
  Json bootstrap;         // the Envoy v3 Bootstrap as JSON (protojson field names)
  std::string canonical;  // compact serialisation with sorted keys: what the ConfigMap holds
  std::string hash;       // first 16 hex digits of sha256(canonical)
};

// The file the webhook mounts a WasmFilter's module at, and the renderer points Envoy to:
// "<dir>/<filter-name>/module.wasm" (dir defaults to /var/run/limen/wasm).
std::string WasmModulePath(std::string_view filter_name,
                           std::string_view module_dir = kWasmModuleDir);

// "limen-<policy>-sidecar" (lib/api's SidecarConfigMapName, which also shortens long names).
std::string ConfigMapName(std::string_view policy_name);

// The Envoy listener port that serves app port number `index` of the sorted, de-duplicated
// app ports: config.inbound_port + index. The webhook uses it to point Services/probes.
int InboundListenPort(const RenderConfig& config, size_t index);

// The bootstrap for one policy. `filters` are the WasmFilters of the policy's namespace (at
// least those it references; others are ignored); `app_ports` the Pod's container ports
// (order and duplicates do not matter). Defaults (SetDefaults) are applied to copies, so
// inputs straight from the apiserver or from a test both work.
StatusOr<RenderResult> Render(const api::ResiliencePolicy& policy,
                              const std::vector<api::WasmFilter>& filters,
                              const std::vector<int>& app_ports, const RenderConfig& config);

// The ConfigMap (v1) holding `result`: name ConfigMapName(policy), the policy's namespace,
// label app.kubernetes.io/managed-by=limen, annotation limen.dev/config-hash, data
// {"envoy.json": result.canonical}, and an ownerReference to the policy (controller=true,
// blockOwnerDeletion=true). Error when the policy has no name, namespace or uid.
StatusOr<Json> RenderConfigMap(const api::ResiliencePolicy& policy, const RenderResult& result);

// The boundary the operator's reconciler calls. One implementation (Envoy) below; tests of
// the reconciler can implement it with a fake.
class ConfigRenderer {
 public:
  virtual ~ConfigRenderer() = default;
  virtual StatusOr<RenderResult> Render(const api::ResiliencePolicy& policy,
                                        const std::vector<api::WasmFilter>& filters,
                                        const std::vector<int>& app_ports) const = 0;
  virtual StatusOr<Json> RenderConfigMap(const api::ResiliencePolicy& policy,
                                         const RenderResult& result) const = 0;
};

class EnvoyConfigRenderer final : public ConfigRenderer {
 public:
  explicit EnvoyConfigRenderer(RenderConfig config) : config_(std::move(config)) {}
  StatusOr<RenderResult> Render(const api::ResiliencePolicy& policy,
                                const std::vector<api::WasmFilter>& filters,
                                const std::vector<int>& app_ports) const override {
    return envoy::Render(policy, filters, app_ports, config_);
  }
  StatusOr<Json> RenderConfigMap(const api::ResiliencePolicy& policy,
                                 const RenderResult& result) const override {
    return envoy::RenderConfigMap(policy, result);
  }
  const RenderConfig& config() const { return config_; }

 private:
  const RenderConfig config_;  // constant after construction
};

}  // namespace limen::envoy
