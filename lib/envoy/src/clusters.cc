// Clusters: one per upstream method class (STRICT_DNS, outlier detection from the breakers,
// Envoy circuit_breakers thresholds, TCP health checks for health dependencies), one per app
// port (STATIC 127.0.0.1, HTTP health check), and the admin cluster behind the stats listener.
#include <algorithm>

#include "limen/api/resilience_policy.h"
#include "plan.h"

namespace limen::envoy::internal {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

json LoadAssignment(const std::string& cluster, const std::string& host, int port) {
  return {
      {"cluster_name", cluster},
      {"endpoints",
       json::array({{{"lb_endpoints",
                      json::array({{{"endpoint", {{"address", SocketAddress(host, port)}}}}})}}})}};
}

json HealthCheck(nanoseconds timeout, const RenderConfig& c) {
  const json interval = ProtoDuration(seconds(c.health_check_interval_seconds));
  return {{"timeout", ProtoDuration(timeout)},
          {"interval", interval},
          // Without traffic Envoy would check only every 60s; the health endpoint needs fresh data.
          {"no_traffic_interval", interval},
          {"unhealthy_threshold", c.unhealthy_threshold},
          {"healthy_threshold", c.healthy_threshold}};
}

json Thresholds(const RenderConfig& c) {
  return {{"thresholds", json::array({{{"priority", "DEFAULT"},
                                       {"max_connections", c.max_connections},
                                       {"max_pending_requests", c.max_pending_requests},
                                       {"max_requests", c.max_requests},
                                       {"max_retries", c.max_retries}}})}};
}

}  // namespace

std::string AppClusterName(int port) { return "app." + std::to_string(port); }

// Envoy keeps one outlier detector per cluster, so the breakers of a method class are merged
// into the most sensitive settings (docs/resilience.md, "Several breakers on one upstream").
json OutlierDetection(const Plan& plan, const std::vector<size_t>& breakers) {
  int64_t interval = 0, ejection = 0, ratio = 0, volume = 0, consecutive = 0;
  for (size_t i : breakers) {
    const Breaker& b = plan.breakers[i];
    interval =
        interval == 0 ? b.stat_interval_seconds : std::min(interval, b.stat_interval_seconds);
    ejection = std::max(ejection, b.retry_timeout_seconds);
    if (b.strategy == api::kStrategyErrorCount) {
      consecutive = consecutive == 0 ? b.error_count : std::min(consecutive, b.error_count);
    } else {
      ratio = ratio == 0 ? b.threshold_percent : std::min(ratio, b.threshold_percent);
      volume = volume == 0 ? b.min_request_amount : std::min(volume, b.min_request_amount);
    }
  }
  json od = {
      {"interval", ProtoDuration(seconds(interval))},
      {"base_ejection_time", ProtoDuration(seconds(ejection))},
      // Sentinel's retryTimeout is fixed; Envoy would multiply it by the number of ejections.
      {"max_ejection_time", ProtoDuration(seconds(ejection))},
      {"max_ejection_percent", 100},
      // Only what the breakers ask for may eject: Envoy's defaults enable consecutive 5xx
      // and success-rate detection, which Sentinel does not have.
      {"enforcing_success_rate", 0},
      {"enforcing_consecutive_gateway_failure", 0},
      {"enforcing_consecutive_5xx", consecutive > 0 ? 100 : 0},
      {"enforcing_failure_percentage", ratio > 0 ? 100 : 0},
      // A passing active health check must not close a circuit before retryTimeout.
      {"successful_active_health_check_uneject_host", false},
  };
  if (consecutive > 0) od["consecutive_5xx"] = consecutive;
  if (ratio > 0) {
    od["failure_percentage_threshold"] = ratio;
    od["failure_percentage_request_volume"] = volume;
    od["failure_percentage_minimum_hosts"] =
        1;  // Envoy's default 5 would never eject a small upstream
  }
  return od;
}

json UpstreamCluster(const Plan& plan, const UpstreamPlan& u, const MethodClass& cls,
                     const RenderConfig& c) {
  json breaker_names = json::array();
  for (size_t i : cls.breakers) breaker_names.push_back(plan.breakers[i].name);
  json cluster = {
      {"name", cls.cluster},
      {"type", "STRICT_DNS"},
      {"dns_lookup_family", "V4_PREFERRED"},
      {"connect_timeout", ProtoDuration(milliseconds(c.connect_timeout_millis))},
      {"lb_policy", "ROUND_ROBIN"},
      {"load_assignment", LoadAssignment(cls.cluster, u.host, u.port)},
      {"circuit_breakers", Thresholds(c)},
      {"metadata",
       {{"filter_metadata",
         {{"limen",
           {{"upstream", u.name},
            {"methods", cls.methods},
            {"circuit_breakers", breaker_names}}}}}}},
  };
  if (!cls.breakers.empty()) {
    cluster["outlier_detection"] = OutlierDetection(plan, cls.breakers);
    // An open circuit (all hosts ejected) must fail fast with the degraded response; in
    // panic mode Envoy would keep sending to ejected hosts.
    cluster["common_lb_config"] = {{"healthy_panic_threshold", {{"value", 0}}}};
  }
  if (u.dependency && plan.health) {
    json hc = HealthCheck(plan.health->timeout, c);
    hc["tcp_health_check"] = json::object();  // connect-only: the upstream's own paths are unknown
    cluster["health_checks"] = json::array({hc});
  }
  return cluster;
}

json AppCluster(const Plan& plan, int port, const RenderConfig& c) {
  const std::string name = AppClusterName(port);
  json cluster = {
      {"name", name},
      {"type", "STATIC"},
      {"connect_timeout", ProtoDuration(milliseconds(c.connect_timeout_millis))},
      {"load_assignment", LoadAssignment(name, "127.0.0.1", port)},
  };
  if (plan.health) {
    json hc = HealthCheck(plan.health->timeout, c);
    hc["http_health_check"] = {{"path", plan.health->path}};
    cluster["health_checks"] = json::array({hc});
  }
  return cluster;
}

json AdminCluster(const RenderConfig& c) {
  return {{"name", kAdminCluster},
          {"type", "STATIC"},
          {"connect_timeout", ProtoDuration(milliseconds(c.connect_timeout_millis))},
          {"load_assignment", LoadAssignment(kAdminCluster, "127.0.0.1", c.admin_port)}};
}

}  // namespace limen::envoy::internal
