// ResiliencePolicy (limen.dev/v1alpha1, namespaced, short name respol): the sidecar Limen
// injects into the selected Pods — upstreams, Sentinel-style circuit breakers, retries with
// exponential back-off, timeouts, a health check, the degraded response and WASM filters.
// Field names follow crds/resiliencepolicies.yaml. Durations and quantities stay strings
// (as written) so a spec round-trips unchanged; parse them with ParseDuration/ParseQuantity.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/conditions.h"
#include "limen/api/meta.h"
#include "limen/api/selector.h"

namespace limen::api {

inline constexpr std::string_view kStrategyErrorRatio = "ErrorRatio";
inline constexpr std::string_view kStrategySlowRequestRatio = "SlowRequestRatio";
inline constexpr std::string_view kStrategyErrorCount = "ErrorCount";

struct Upstream {
  std::string name;
  std::string host;
  int64_t port = 0;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("host", s.host);
    f("port", s.port);
  }
};

struct CircuitBreakerMatch {
  std::vector<std::string> methods;    // empty: every method
  std::vector<std::string> upstreams;  // empty: every upstream
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("methods", s.methods);
    f("upstreams", s.upstreams);
  }
};

struct CircuitBreaker {
  std::string name;
  std::optional<CircuitBreakerMatch> match;
  std::string strategy;                          // kStrategy*
  std::optional<int64_t> threshold_percent;      // default 60
  std::optional<int64_t> error_count;            // ErrorCount only
  std::optional<int64_t> min_request_amount;     // default 20
  std::optional<int64_t> stat_interval_seconds;  // default 10
  std::optional<int64_t> bucket_count;           // default 1
  std::optional<int64_t> retry_timeout_seconds;  // default 5
  std::optional<int64_t> probe_num;              // default 1
  std::optional<int64_t> max_allowed_rt_millis;  // SlowRequestRatio only
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("match", s.match);
    f("strategy", s.strategy);
    f("thresholdPercent", s.threshold_percent);
    f("errorCount", s.error_count);
    f("minRequestAmount", s.min_request_amount);
    f("statIntervalSeconds", s.stat_interval_seconds);
    f("bucketCount", s.bucket_count);
    f("retryTimeoutSeconds", s.retry_timeout_seconds);
    f("probeNum", s.probe_num);
    f("maxAllowedRtMillis", s.max_allowed_rt_millis);
  }
};

struct Backoff {
  std::optional<std::string> base;  // default "25ms"
  std::optional<std::string> max;   // default "250ms"
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("base", s.base);
    f("max", s.max);
  }
};

struct Retries {
  std::optional<int64_t> attempts;  // default 2
  std::optional<std::string> per_try_timeout;
  std::optional<Backoff> backoff;  // default {}
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("attempts", s.attempts);
    f("perTryTimeout", s.per_try_timeout);
    f("backoff", s.backoff);
  }
};

struct HealthCheck {
  std::string path;
  std::optional<std::string> timeout;  // default "3s"
  std::vector<std::string> dependencies;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("path", s.path);
    f("timeout", s.timeout);
    f("dependencies", s.dependencies);
  }
};

struct DegradedResponse {
  std::optional<int64_t> status;  // default 503
  std::string body;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("status", s.status);
    f("body", s.body);
  }
};

struct WasmFilterRef {
  std::string name;
  std::optional<Json> config;  // replaces the WasmFilter's config when set
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("config", s.config);
  }
};

struct ResourceList {
  std::optional<std::string> cpu;     // quantity
  std::optional<std::string> memory;  // quantity
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("cpu", s.cpu);
    f("memory", s.memory);
  }
};

struct SidecarResources {
  std::optional<ResourceList> requests;
  std::optional<ResourceList> limits;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("requests", s.requests);
    f("limits", s.limits);
  }
};

struct SidecarOverrides {
  std::optional<std::string> log_level;  // default "info"
  std::optional<int64_t> concurrency;    // default 1
  std::optional<SidecarResources> resources;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("logLevel", s.log_level);
    f("concurrency", s.concurrency);
    f("resources", s.resources);
  }
};

struct ResiliencePolicySpec {
  std::optional<LabelSelector> selector;  // absent selects nothing, {} everything
  std::vector<Upstream> upstreams;
  std::vector<CircuitBreaker> circuit_breakers;
  std::optional<Retries> retries;
  std::optional<std::string> timeout;  // default "15s"
  std::optional<HealthCheck> health_check;
  std::optional<DegradedResponse> degraded_response;  // default {}
  std::vector<WasmFilterRef> wasm_filters;
  std::optional<SidecarOverrides> sidecar;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("selector", s.selector);
    f("upstreams", s.upstreams);
    f("circuitBreakers", s.circuit_breakers);
    f("retries", s.retries);
    f("timeout", s.timeout);
    f("healthCheck", s.health_check);
    f("degradedResponse", s.degraded_response);
    f("wasmFilters", s.wasm_filters);
    f("sidecar", s.sidecar);
  }
};

struct RenderedConfig {
  std::string name;  // limen-<policy>-sidecar
  std::string hash;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("hash", s.hash);
  }
};

struct ResiliencePolicyStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  int64_t matched_workloads = 0;
  int64_t injected_pods = 0;
  RenderedConfig rendered_config;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("observedGeneration", s.observed_generation);
    f("conditions", s.conditions);
    f("matchedWorkloads", s.matched_workloads);
    f("injectedPods", s.injected_pods);
    f("renderedConfig", s.rendered_config);
  }
};

struct ResiliencePolicy {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  ResiliencePolicySpec spec;
  ResiliencePolicyStatus status;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("apiVersion", s.api_version);
    f("kind", s.kind);
    f("metadata", s.metadata);
    f("spec", s.spec);
    f("status", s.status);
  }
};

// The CRD's defaults, applied to absent fields only (as the apiserver does).
void SetDefaults(CircuitBreaker& breaker);
void SetDefaults(Retries& retries);
void SetDefaults(ResiliencePolicySpec& spec);
void SetDefaults(ResiliencePolicy& policy);

}  // namespace limen::api
