// BuildPlan: every check that decides whether a policy can be rendered, in one place.
#include "plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "limen/api/duration.h"

namespace limen::envoy::internal {
namespace {

std::string Field(const std::string& prefix, size_t i) {
  return prefix + "[" + std::to_string(i) + "]";
}

Breaker Flatten(const api::CircuitBreaker& b) {
  Breaker out;
  out.name = b.name;
  out.strategy = b.strategy;
  out.threshold_percent = b.threshold_percent.value_or(60);
  out.error_count = b.error_count.value_or(0);
  out.min_request_amount = b.min_request_amount.value_or(20);
  out.stat_interval_seconds = b.stat_interval_seconds.value_or(10);
  out.retry_timeout_seconds = b.retry_timeout_seconds.value_or(5);
  out.max_allowed_rt_millis = b.max_allowed_rt_millis.value_or(0);
  return out;
}

// The cross-field rules of the CRD, re-checked: a policy may come from an older CRD or from
// a test, and the renderer must never emit Envoy config built on a broken breaker.
Status CheckBreaker(const Breaker& b, const std::string& field) {
  const std::string where = field + " (" + b.name + ")";
  if (b.strategy == api::kStrategyErrorCount) {
    if (b.error_count < 1)
      return Status::InvalidArgument(where + ": strategy ErrorCount needs errorCount >= 1");
  } else if (b.strategy == api::kStrategyErrorRatio ||
             b.strategy == api::kStrategySlowRequestRatio) {
    if (b.threshold_percent < 1 || b.threshold_percent > 100) {
      return Status::InvalidArgument(
          where + ".thresholdPercent: must be between 1 and 100 for strategy " + b.strategy);
    }
    if (b.strategy == api::kStrategySlowRequestRatio && b.max_allowed_rt_millis < 1) {
      return Status::InvalidArgument(where +
                                     ": strategy SlowRequestRatio needs maxAllowedRtMillis >= 1");
    }
  } else {
    return Status::InvalidArgument(where + ".strategy: unknown strategy \"" + b.strategy +
                                   "\" (ErrorRatio, SlowRequestRatio or ErrorCount)");
  }
  if (b.min_request_amount < 1)
    return Status::InvalidArgument(where + ".minRequestAmount: must be >= 1");
  if (b.stat_interval_seconds < 1)
    return Status::InvalidArgument(where + ".statIntervalSeconds: must be >= 1");
  if (b.retry_timeout_seconds < 1)
    return Status::InvalidArgument(where + ".retryTimeoutSeconds: must be >= 1");
  return Status::Ok();
}

// The methods a breaker buckets; CONNECT is dropped because the sidecar's HTTP listeners do
// not proxy CONNECT, so such requests never reach a route (see docs/resilience.md).
StatusOr<std::vector<std::string>> BucketableMethods(const api::CircuitBreaker& b,
                                                     const std::string& field) {
  std::vector<std::string> out;
  if (!b.match) return out;
  for (const std::string& m : b.match->methods) {
    if (m != "CONNECT" && std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  }
  if (out.empty() && !b.match->methods.empty()) {
    return Status::InvalidArgument(
        field + " (" + b.name +
        ").match.methods: Envoy cannot bucket CONNECT requests (the sidecar does not proxy "
        "CONNECT tunnels), so a breaker matching only CONNECT would never count a request");
  }
  return out;
}

bool Applies(const api::CircuitBreaker& b, const std::string& upstream) {
  if (!b.match || b.match->upstreams.empty()) return true;
  const auto& u = b.match->upstreams;
  return std::find(u.begin(), u.end(), upstream) != u.end();
}

std::string HostPort(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Domains per upstream: "host:port" always; "host" and the upstream's name when no other
// upstream claims them (Envoy rejects a route table with a duplicate domain).
Status AssignDomains(std::vector<UpstreamPlan>& ups) {
  std::map<std::string, size_t> host_port_owner;
  std::map<std::string, int> claims;
  for (size_t i = 0; i < ups.size(); ++i) {
    const std::string hp = HostPort(ups[i].host, ups[i].port);
    if (auto [it, fresh] = host_port_owner.emplace(hp, i); !fresh) {
      return Status::InvalidArgument(Field("spec.upstreams", i) + " (" + ups[i].name + "): " + hp +
                                     " is also upstream " + ups[it->second].name +
                                     "; the sidecar routes by Host and cannot tell them apart");
    }
    ++claims[hp];
    ++claims[ups[i].host];
    if (ups[i].name != ups[i].host) ++claims[ups[i].name];
  }
  for (UpstreamPlan& u : ups) {
    u.domains.push_back(HostPort(u.host, u.port));
    if (claims[u.host] == 1) u.domains.push_back(u.host);
    if (u.name != u.host && claims[u.name] == 1) u.domains.push_back(u.name);
  }
  return Status::Ok();
}

StatusOr<std::vector<int>> CheckPorts(const std::vector<int>& app_ports, const RenderConfig& c) {
  std::vector<int> ports = app_ports;
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  std::set<int> taken = {c.admin_port, c.stats_port};
  if (taken.size() != 2) return Status::InvalidArgument("config: admin_port equals stats_port");
  for (int p : ports) {
    if (p < 1 || p > 65535)
      return Status::InvalidArgument("app port " + std::to_string(p) + ": not a TCP port");
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    const int listen = InboundListenPort(c, i);
    if (listen < 1 || listen > 65535 || !taken.insert(listen).second) {
      return Status::InvalidArgument("inbound listener port " + std::to_string(listen) +
                                     " (for app port " + std::to_string(ports[i]) +
                                     ") is out of range or used by the sidecar");
    }
  }
  for (int p : ports) {
    if (taken.count(p) != 0) {
      return Status::InvalidArgument(
          "app port " + std::to_string(p) +
          " collides with a port of the sidecar (admin, stats or inbound)");
    }
  }
  return ports;
}

StatusOr<std::optional<RetryPlan>> PlanRetries(const api::ResiliencePolicySpec& spec,
                                               nanoseconds timeout) {
  if (!spec.retries || spec.retries->attempts.value_or(2) == 0) return std::optional<RetryPlan>();
  const api::Retries& r = *spec.retries;
  RetryPlan out;
  out.attempts = r.attempts.value_or(2);
  if (out.attempts < 0)
    return Status::InvalidArgument("spec.retries.attempts: must not be negative");
  if (r.per_try_timeout) {
    LIMEN_ASSIGN_OR_RETURN(out.per_try_timeout,
                           ParseSpecDuration(*r.per_try_timeout, "spec.retries.perTryTimeout"));
    if (timeout.count() > 0 && *out.per_try_timeout > timeout) {
      return Status::InvalidArgument("spec.retries.perTryTimeout: " + *r.per_try_timeout +
                                     " exceeds spec.timeout (" + spec.timeout.value_or("15s") +
                                     ")");
    }
  }
  LIMEN_ASSIGN_OR_RETURN(
      out.base, ParseSpecDuration(r.backoff->base.value_or("25ms"), "spec.retries.backoff.base"));
  LIMEN_ASSIGN_OR_RETURN(
      out.max, ParseSpecDuration(r.backoff->max.value_or("250ms"), "spec.retries.backoff.max"));
  if (out.base.count() < 1000000) {
    return Status::InvalidArgument(
        "spec.retries.backoff.base: must be at least 1ms (Envoy's back-off has millisecond "
        "resolution)");
  }
  if (out.max < out.base) {
    return Status::InvalidArgument(
        "spec.retries.backoff.max: must not be less than spec.retries.backoff.base");
  }
  return std::optional<RetryPlan>(out);
}

Status PlanBreakers(const api::ResiliencePolicySpec& spec, Plan& plan) {
  std::vector<std::vector<std::string>> methods_of;
  for (size_t i = 0; i < spec.circuit_breakers.size(); ++i) {
    const api::CircuitBreaker& b = spec.circuit_breakers[i];
    const std::string field = Field("spec.circuitBreakers", i);
    plan.breakers.push_back(Flatten(b));
    LIMEN_RETURN_IF_ERROR(CheckBreaker(plan.breakers.back(), field));
    LIMEN_ASSIGN_OR_RETURN(auto methods, BucketableMethods(b, field));
    methods_of.push_back(std::move(methods));
    bool any = false;
    for (const api::Upstream& u : spec.upstreams) any = any || Applies(b, u.name);
    if (b.match) {
      for (const std::string& name : b.match->upstreams) {
        const bool known = std::any_of(spec.upstreams.begin(), spec.upstreams.end(),
                                       [&](const api::Upstream& u) { return u.name == name; });
        if (!known) {
          return Status::InvalidArgument(field + " (" + b.name + ").match.upstreams: \"" + name +
                                         "\" is not declared in spec.upstreams");
        }
      }
    }
    if (!any) {
      return Status::InvalidArgument(
          field + " (" + b.name +
          "): matches no upstream (spec.upstreams is empty), so it would guard nothing");
    }
  }
  for (UpstreamPlan& u : plan.upstreams) {
    std::vector<size_t> applying;
    for (size_t i = 0; i < spec.circuit_breakers.size(); ++i) {
      if (Applies(spec.circuit_breakers[i], u.name)) applying.push_back(i);
    }
    u.classes = BuildMethodClasses(u.name, applying, methods_of);
  }
  return Status::Ok();
}

Status PlanHealth(const api::ResiliencePolicySpec& spec, Plan& plan) {
  if (!spec.health_check) return Status::Ok();
  HealthPlan h;
  h.path = spec.health_check->path;
  if (h.path.empty() || h.path[0] != '/') {
    return Status::InvalidArgument("spec.healthCheck.path: must start with /");
  }
  LIMEN_ASSIGN_OR_RETURN(h.timeout, ParseSpecDuration(spec.health_check->timeout.value_or("3s"),
                                                      "spec.healthCheck.timeout"));
  if (h.timeout.count() <= 0)
    return Status::InvalidArgument("spec.healthCheck.timeout: must be greater than zero");
  for (size_t i = 0; i < spec.health_check->dependencies.size(); ++i) {
    const std::string& d = spec.health_check->dependencies[i];
    auto it = std::find_if(plan.upstreams.begin(), plan.upstreams.end(),
                           [&](const UpstreamPlan& u) { return u.name == d; });
    if (it == plan.upstreams.end()) {
      return Status::InvalidArgument(Field("spec.healthCheck.dependencies", i) + ": \"" + d +
                                     "\" is not declared in spec.upstreams");
    }
    it->dependency = true;
  }
  if (plan.app_ports.empty()) {
    return Status::InvalidArgument(
        "spec.healthCheck: the Pod declares no container port, so the sidecar has no application "
        "endpoint to check");
  }
  plan.health = h;
  return Status::Ok();
}

}  // namespace

StatusOr<nanoseconds> ParseSpecDuration(const std::string& text, const std::string& field) {
  auto d = api::ParseDuration(text);
  if (!d.ok()) return Status::InvalidArgument(field + ": " + d.status().message());
  if (d->count() < 0)
    return Status::InvalidArgument(field + ": must not be negative (\"" + text + "\")");
  return *d;
}

std::vector<MethodClass> BuildMethodClasses(
    const std::string& upstream, const std::vector<size_t>& applying,
    const std::vector<std::vector<std::string>>& methods_of) {
  static const char* const kMethods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                         "PATCH", "DELETE", "OPTIONS", "TRACE"};
  std::vector<size_t> everywhere;
  for (size_t b : applying) {
    if (methods_of[b].empty()) everywhere.push_back(b);
  }
  std::vector<std::pair<std::vector<size_t>, std::vector<std::string>>>
      groups;  // signature → methods
  for (const char* m : kMethods) {
    std::vector<size_t> sig;
    for (size_t b : applying) {
      const auto& ms = methods_of[b];
      if (std::find(ms.begin(), ms.end(), m) != ms.end()) sig.push_back(b);
    }
    if (sig.empty()) continue;
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == sig; });
    if (it == groups.end()) {
      groups.push_back({sig, {m}});
    } else {
      it->second.push_back(m);
    }
  }
  std::vector<MethodClass> out;
  for (auto& [sig, methods] : groups) {
    MethodClass c;
    c.cluster = "upstream." + upstream;
    for (const std::string& m : methods) {
      std::string lower = m;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](char ch) { return static_cast<char>(ch - 'A' + 'a'); });
      c.cluster += (c.methods.empty() ? "." : "-") + lower;
      c.methods.push_back(m);
    }
    c.breakers = everywhere;
    c.breakers.insert(c.breakers.end(), sig.begin(), sig.end());
    std::sort(c.breakers.begin(), c.breakers.end());
    out.push_back(std::move(c));
  }
  MethodClass fallback;
  fallback.cluster = "upstream." + upstream;
  fallback.breakers = everywhere;
  out.push_back(std::move(fallback));
  return out;
}

StatusOr<Plan> BuildPlan(const api::ResiliencePolicy& policy,
                         const std::vector<api::WasmFilter>& filters,
                         const std::vector<int>& app_ports, const RenderConfig& config) {
  api::ResiliencePolicySpec spec = policy.spec;
  api::SetDefaults(spec);
  Plan plan;
  plan.policy_name = policy.metadata.name;
  plan.policy_namespace = policy.metadata.namespace_;
  LIMEN_ASSIGN_OR_RETURN(plan.app_ports, CheckPorts(app_ports, config));
  LIMEN_ASSIGN_OR_RETURN(plan.timeout, ParseSpecDuration(*spec.timeout, "spec.timeout"));
  for (size_t i = 0; i < spec.upstreams.size(); ++i) {
    const api::Upstream& u = spec.upstreams[i];
    if (u.port < 1 || u.port > 65535) {
      return Status::InvalidArgument(Field("spec.upstreams", i) +
                                     ".port: " + std::to_string(u.port) + " is not a TCP port");
    }
    for (size_t j = 0; j < i; ++j) {
      if (spec.upstreams[j].name == u.name) {
        return Status::InvalidArgument(Field("spec.upstreams", i) + ".name: duplicate name \"" +
                                       u.name + "\"");
      }
    }
    plan.upstreams.push_back({u.name, u.host, static_cast<int>(u.port), {}, {}, false});
  }
  LIMEN_RETURN_IF_ERROR(AssignDomains(plan.upstreams));
  LIMEN_RETURN_IF_ERROR(PlanBreakers(spec, plan));
  LIMEN_ASSIGN_OR_RETURN(plan.retries, PlanRetries(spec, plan.timeout));
  LIMEN_RETURN_IF_ERROR(PlanHealth(spec, plan));
  plan.degraded_status = spec.degraded_response->status.value_or(503);
  if (plan.degraded_status < 200 || plan.degraded_status > 599) {
    return Status::InvalidArgument("spec.degradedResponse.status: must be between 200 and 599");
  }
  plan.degraded_body = spec.degraded_response->body;
  for (size_t i = 0; i < spec.wasm_filters.size(); ++i) {
    LIMEN_ASSIGN_OR_RETURN(
        WasmPlan w, ResolveWasmFilter(spec.wasm_filters[i], i, plan.policy_namespace, filters));
    for (const WasmPlan& seen : plan.wasm) {
      if (seen.name == w.name) {
        return Status::InvalidArgument(Field("spec.wasmFilters", i) + ": WasmFilter \"" + w.name +
                                       "\" is listed twice");
      }
    }
    plan.wasm.push_back(std::move(w));
  }
  SortWasmFilters(plan.wasm);
  return plan;
}

}  // namespace limen::envoy::internal
