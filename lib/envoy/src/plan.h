// The renderer's intermediate form: a ResiliencePolicy checked, defaulted and resolved into
// plain values (durations parsed, WasmFilters looked up and ordered, breakers grouped per
// Envoy cluster). BuildPlan is where every "cannot be rendered" error is found, so the
// builders of JSON pieces (clusters.cc, routes.cc, listeners.cc, wasm.cc, local_reply.cc)
// never fail and never see an inconsistent input.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/base/status.h"
#include "limen/envoy/render.h"

namespace limen::envoy::internal {

using std::chrono::nanoseconds;

// One circuit breaker with its defaults applied.
struct Breaker {
  std::string name;
  std::string strategy;
  int64_t threshold_percent = 0;
  int64_t error_count = 0;  // ErrorCount
  int64_t min_request_amount = 0;
  int64_t stat_interval_seconds = 0;
  int64_t retry_timeout_seconds = 0;
  int64_t max_allowed_rt_millis = 0;  // SlowRequestRatio
};

// The requests of one upstream that share circuit-breaker state: one Envoy cluster. Methods
// that some method-restricted breaker counts get their own class; the default class (empty
// `methods`) takes every other method and is always present.
struct MethodClass {
  std::vector<std::string> methods;  // empty: the default class
  std::string cluster;               // Envoy cluster name
  std::vector<size_t> breakers;      // indices into Plan::breakers
};

struct UpstreamPlan {
  std::string name;
  std::string host;
  int port = 0;
  std::vector<std::string> domains;  // Host/:authority values routed to it
  std::vector<MethodClass> classes;  // method classes first, the default class last
  bool dependency = false;           // in healthCheck.dependencies
};

struct RetryPlan {
  int64_t attempts = 0;
  std::optional<nanoseconds> per_try_timeout;
  nanoseconds base{0};
  nanoseconds max{0};
};

struct HealthPlan {
  std::string path;
  nanoseconds timeout{0};
};

struct WasmPlan {
  std::string name;
  std::string sha256;
  int phase_rank = 0;  // AUTHN 0, AUTHZ 1, STATS 2, UNSPECIFIED 3
  int64_t priority = 0;
  bool fail_open = false;
  std::optional<nlohmann::json> configuration;
};

struct Plan {
  std::string policy_name;
  std::string policy_namespace;
  std::vector<Breaker> breakers;
  std::vector<UpstreamPlan> upstreams;
  nanoseconds timeout{0};  // 0: no timeout (Envoy's meaning)
  std::optional<RetryPlan> retries;
  std::optional<HealthPlan> health;
  int64_t degraded_status = 503;
  std::string degraded_body;
  std::vector<WasmPlan> wasm;  // in filter-chain order
  std::vector<int> app_ports;  // sorted, unique
};

StatusOr<Plan> BuildPlan(const api::ResiliencePolicy& policy,
                         const std::vector<api::WasmFilter>& filters,
                         const std::vector<int>& app_ports, const RenderConfig& config);

// Parses a Go duration of the spec; errors name `field`. Negative durations are rejected.
StatusOr<nanoseconds> ParseSpecDuration(const std::string& text, const std::string& field);

// Method classes of one upstream (see MethodClass). `applying` are the breakers that apply
// to the upstream (indices into `breakers`), `methods_of[i]` breaker i's match.methods.
std::vector<MethodClass> BuildMethodClasses(
    const std::string& upstream, const std::vector<size_t>& applying,
    const std::vector<std::vector<std::string>>& methods_of);

// Resolves the policy's reference `index` to a WasmFilter of `filters`; errors name the field.
StatusOr<WasmPlan> ResolveWasmFilter(const api::WasmFilterRef& ref, size_t index,
                                     const std::string& policy_namespace,
                                     const std::vector<api::WasmFilter>& filters);

// Filter-chain order: phase (AUTHN, AUTHZ, STATS, UNSPECIFIED), priority (higher first), name.
void SortWasmFilters(std::vector<WasmPlan>& wasm);

// Envoy JSON pieces (never fail; the plan is consistent).
nlohmann::json ProtoDuration(nanoseconds d);  // "1.500s" (protojson Duration)
nlohmann::json SocketAddress(const std::string& address, int port);
nlohmann::json TypedConfig(const std::string& type, nlohmann::json fields);

nlohmann::json OutlierDetection(const Plan& plan, const std::vector<size_t>& breakers);
nlohmann::json UpstreamCluster(const Plan& plan, const UpstreamPlan& upstream,
                               const MethodClass& cls, const RenderConfig& config);
nlohmann::json AppCluster(const Plan& plan, int port, const RenderConfig& config);
nlohmann::json AdminCluster(const RenderConfig& config);
std::string AppClusterName(int port);
inline constexpr const char* kAdminCluster = "limen_admin";

nlohmann::json RetryPolicy(const RetryPlan& retries);
nlohmann::json OutboundRouteConfig(const Plan& plan);

nlohmann::json WasmHttpFilter(const WasmPlan& wasm, const RenderConfig& config);
nlohmann::json LocalReplyConfig(const Plan& plan);

nlohmann::json OutboundListener(const Plan& plan, const RenderConfig& config);
nlohmann::json InboundListener(const Plan& plan, size_t index, const RenderConfig& config);
nlohmann::json StatsListener(const RenderConfig& config);

}  // namespace limen::envoy::internal
