// Listeners: outbound on the Unix socket (the app's way to its upstreams), one inbound per
// app port, and the stats listener that exposes the admin's Prometheus endpoint (the admin
// itself stays on 127.0.0.1). Every HTTP filter chain ends with the router.
#include "plan.h"

namespace limen::envoy::internal {
namespace {

using nlohmann::json;

json Router() {
  return {{"name", "envoy.filters.http.router"},
          {"typed_config",
           TypedConfig("envoy.extensions.filters.http.router.v3.Router", json::object())}};
}

json HealthCheckFilter(const Plan& plan, int app_port) {
  json clusters = {{AppClusterName(app_port), {{"value", 100}}}};
  for (const UpstreamPlan& u : plan.upstreams) {
    if (!u.dependency) continue;
    for (const MethodClass& cls : u.classes) clusters[cls.cluster] = {{"value", 100}};
  }
  return {
      {"name", "envoy.filters.http.health_check"},
      {"typed_config",
       TypedConfig("envoy.extensions.filters.http.health_check.v3.HealthCheck",
                   {{"pass_through_mode", false},
                    {"headers", json::array({{{"name", ":path"},
                                              {"string_match", {{"exact", plan.health->path}}}}})},
                    {"cluster_min_healthy_percentages", clusters}})}};
}

json Wasm(const Plan& plan, const RenderConfig& config) {
  json filters = json::array();
  for (const WasmPlan& w : plan.wasm) filters.push_back(WasmHttpFilter(w, config));
  return filters;
}

json ConnectionManager(const std::string& stat_prefix, json route_config, json http_filters) {
  http_filters.push_back(Router());
  return {{"name", "envoy.filters.network.http_connection_manager"},
          {"typed_config",
           TypedConfig(
               "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
               {{"stat_prefix", stat_prefix},
                {"codec_type", "AUTO"},
                {"route_config", std::move(route_config)},
                {"http_filters", std::move(http_filters)}})}};
}

json Listener(const std::string& name, json address, json hcm) {
  return {{"name", name},
          {"address", std::move(address)},
          {"filter_chains", json::array({{{"filters", json::array({std::move(hcm)})}}})}};
}

}  // namespace

json OutboundListener(const Plan& plan, const RenderConfig& config) {
  json hcm = ConnectionManager("outbound", OutboundRouteConfig(plan), Wasm(plan, config));
  hcm["typed_config"]["local_reply_config"] = LocalReplyConfig(plan);
  // 0666: the socket lives in the Pod's private emptyDir; app containers may run as any uid.
  return Listener("outbound", {{"pipe", {{"path", config.outbound_socket}, {"mode", 0666}}}},
                  std::move(hcm));
}

json InboundListener(const Plan& plan, size_t index, const RenderConfig& config) {
  const int port = plan.app_ports[index];
  // No timeout inbound: the sidecar must not change how long the app may take to answer.
  json route_config = {
      {"name", "inbound_" + std::to_string(port)},
      {"virtual_hosts", json::array({{{"name", "app"},
                                      {"domains", json::array({"*"})},
                                      {"routes", json::array({{{"match", {{"prefix", "/"}}},
                                                               {"route",
                                                                {{"cluster", AppClusterName(port)},
                                                                 {"timeout", "0s"}}}}})}}})}};
  json filters = json::array();
  if (plan.health) filters.push_back(HealthCheckFilter(plan, port));
  for (json& w : Wasm(plan, config)) filters.push_back(std::move(w));
  return Listener("inbound_" + std::to_string(port),
                  SocketAddress("0.0.0.0", InboundListenPort(config, index)),
                  ConnectionManager("inbound_" + std::to_string(port), std::move(route_config),
                                    std::move(filters)));
}

json StatsListener(const RenderConfig& config) {
  json route_config = {
      {"name", "stats"},
      {"virtual_hosts",
       json::array({{{"name", "stats"},
                     {"domains", json::array({"*"})},
                     {"routes", json::array({{{"match", {{"path", config.stats_path}}},
                                              {"route",
                                               {{"cluster", kAdminCluster},
                                                {"prefix_rewrite", "/stats/prometheus"}}}}})}}})}};
  return Listener("stats", SocketAddress("0.0.0.0", config.stats_port),
                  ConnectionManager("stats", std::move(route_config), json::array()));
}

}  // namespace limen::envoy::internal
