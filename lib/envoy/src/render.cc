// Render: plan → bootstrap JSON → canonical text → hash; and the ConfigMap around it.
#include "limen/envoy/render.h"

#include <openssl/evp.h>

#include "limen/api/well_known.h"
#include "plan.h"

namespace limen::envoy {
namespace {

using nlohmann::json;

Status CheckConfig(const RenderConfig& c) {
  const auto port_ok = [](int p) { return p >= 1 && p <= 65535; };
  if (!port_ok(c.admin_port) || !port_ok(c.stats_port) || !port_ok(c.inbound_port)) {
    return Status::InvalidArgument(
        "config: admin_port, stats_port and inbound_port must be TCP ports");
  }
  if (c.stats_path.empty() || c.stats_path[0] != '/') {
    return Status::InvalidArgument("config: stats_path must start with /");
  }
  if (c.outbound_socket.empty() || c.wasm_module_dir.empty()) {
    return Status::InvalidArgument("config: outbound_socket and wasm_module_dir must be set");
  }
  if (c.connect_timeout_millis < 1 || c.health_check_interval_seconds < 1 ||
      c.unhealthy_threshold < 1 || c.healthy_threshold < 1) {
    return Status::InvalidArgument("config: timeouts, intervals and thresholds must be positive");
  }
  return Status::Ok();
}

json Bootstrap(const internal::Plan& plan, const RenderConfig& config) {
  json listeners = json::array({internal::OutboundListener(plan, config)});
  for (size_t i = 0; i < plan.app_ports.size(); ++i) {
    listeners.push_back(internal::InboundListener(plan, i, config));
  }
  listeners.push_back(internal::StatsListener(config));
  json clusters = json::array();
  for (const internal::UpstreamPlan& u : plan.upstreams) {
    for (const internal::MethodClass& cls : u.classes) {
      clusters.push_back(internal::UpstreamCluster(plan, u, cls, config));
    }
  }
  for (int port : plan.app_ports) clusters.push_back(internal::AppCluster(plan, port, config));
  clusters.push_back(internal::AdminCluster(config));
  return {
      // One ConfigMap serves every Pod of the policy, so the node id names the policy; Envoy's
      // --service-node can add the Pod.
      {"node",
       {{"id", "limen-sidecar"}, {"cluster", plan.policy_namespace + "/" + plan.policy_name}}},
      {"admin", {{"address", internal::SocketAddress("127.0.0.1", config.admin_port)}}},
      {"static_resources", {{"listeners", listeners}, {"clusters", clusters}}},
  };
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

std::string WasmModulePath(std::string_view filter_name, std::string_view module_dir) {
  return std::string(module_dir) + "/" + std::string(filter_name) + "/module.wasm";
}

std::string ConfigMapName(std::string_view policy_name) {
  return api::SidecarConfigMapName(policy_name);
}

int InboundListenPort(const RenderConfig& config, size_t index) {
  return config.inbound_port + static_cast<int>(index);
}

StatusOr<RenderResult> Render(const api::ResiliencePolicy& policy,
                              const std::vector<api::WasmFilter>& filters,
                              const std::vector<int>& app_ports, const RenderConfig& config) {
  LIMEN_RETURN_IF_ERROR(CheckConfig(config));
  LIMEN_ASSIGN_OR_RETURN(internal::Plan plan,
                         internal::BuildPlan(policy, filters, app_ports, config));
  RenderResult out;
  out.bootstrap = Bootstrap(plan, config);
  // nlohmann objects keep keys sorted, so dump() is canonical; invalid UTF-8 (impossible from
  // decoded JSON) is replaced rather than thrown.
  out.canonical = out.bootstrap.dump(-1, ' ', false, json::error_handler_t::replace);
  out.hash = Sha256Hex(out.canonical).substr(0, 16);
  return out;
}

StatusOr<Json> RenderConfigMap(const api::ResiliencePolicy& policy, const RenderResult& result) {
  const api::ObjectMeta& m = policy.metadata;
  if (m.name.empty() || m.namespace_.empty() || m.uid.empty()) {
    return Status::InvalidArgument(
        "metadata: the policy needs a name, a namespace and a uid to own its ConfigMap");
  }
  return json{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", ConfigMapName(m.name)},
        {"namespace", m.namespace_},
        {"labels", {{std::string(api::kLabelManagedBy), std::string(api::kManagedByLimen)}}},
        {"annotations", {{std::string(kAnnotationConfigHash), result.hash}}},
        {"ownerReferences", json::array({{{"apiVersion", std::string(api::kApiVersion)},
                                          {"kind", std::string(api::kKindResiliencePolicy)},
                                          {"name", m.name},
                                          {"uid", m.uid},
                                          {"controller", true},
                                          {"blockOwnerDeletion", true}}})}}},
      {"data", {{std::string(kConfigMapKey), result.canonical}}},
  };
}

}  // namespace limen::envoy
