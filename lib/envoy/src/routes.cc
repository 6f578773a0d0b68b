// The outbound route table: one virtual host per upstream (by Host/:authority), one route per
// method class, the policy's timeout and retry policy; unknown hosts get a clear 404.
#include "limen/api/resilience_policy.h"
#include "plan.h"

namespace limen::envoy::internal {
namespace {

using nlohmann::json;

// SlowRequestRatio: Envoy cannot count a slow response without ending it, so a request slower
// than maxAllowedRtMillis is cut off (504) and counted as a failure by outlier detection.
nanoseconds RouteTimeout(const Plan& plan, const MethodClass& cls) {
  nanoseconds t = plan.timeout;
  for (size_t i : cls.breakers) {
    const Breaker& b = plan.breakers[i];
    if (b.strategy != api::kStrategySlowRequestRatio) continue;
    const nanoseconds slow = std::chrono::milliseconds(b.max_allowed_rt_millis);
    if (t.count() == 0 || slow < t) t = slow;
  }
  return t;
}

json MethodMatcher(const std::vector<std::string>& methods) {
  if (methods.size() == 1) return {{"name", ":method"}, {"string_match", {{"exact", methods[0]}}}};
  std::string regex;
  for (const std::string& m : methods) regex += (regex.empty() ? "" : "|") + m;
  return {{"name", ":method"}, {"string_match", {{"safe_regex", {{"regex", regex}}}}}};
}

json Route(const Plan& plan, const MethodClass& cls) {
  json match = {{"prefix", "/"}};
  if (!cls.methods.empty()) match["headers"] = json::array({MethodMatcher(cls.methods)});
  json action = {{"cluster", cls.cluster}, {"timeout", ProtoDuration(RouteTimeout(plan, cls))}};
  if (plan.retries) action["retry_policy"] = RetryPolicy(*plan.retries);
  return {{"name", cls.cluster}, {"match", match}, {"route", action}};
}

}  // namespace

json RetryPolicy(const RetryPlan& r) {
  json policy = {
      // The CRD's "connect failures, resets, 5xx".
      {"retry_on", "5xx,reset,connect-failure,refused-stream"},
      {"num_retries", r.attempts},
      {"retry_back_off",
       {{"base_interval", ProtoDuration(r.base)}, {"max_interval", ProtoDuration(r.max)}}},
  };
  if (r.per_try_timeout) policy["per_try_timeout"] = ProtoDuration(*r.per_try_timeout);
  return policy;
}

json OutboundRouteConfig(const Plan& plan) {
  json hosts = json::array();
  for (const UpstreamPlan& u : plan.upstreams) {
    json routes = json::array();
    for (const MethodClass& cls : u.classes) routes.push_back(Route(plan, cls));
    hosts.push_back({{"name", u.name}, {"domains", u.domains}, {"routes", routes}});
  }
  hosts.push_back(
      {{"name", "unknown_upstream"},
       {"domains", json::array({"*"})},
       {"routes",
        json::array({{{"match", {{"prefix", "/"}}},
                      {"direct_response",
                       {{"status", 404},
                        {"body",
                         {{"inline_string",
                           "limen: no upstream of ResiliencePolicy " + plan.policy_name +
                               " matches this Host; declare it in spec.upstreams\n"}}}}}}})}});
  return {{"name", "outbound"}, {"virtual_hosts", hosts}};
}

}  // namespace limen::envoy::internal
