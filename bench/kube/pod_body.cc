#include "pod_body.h"

#include <cstdio>

namespace limen::bench {
namespace {

using nlohmann::json;

std::string Pad(int index, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*d", width, index);
  return buf;
}

json Env(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

json EnvFrom(const std::string& name, const char* source, const std::string& ref_name,
             const std::string& key) {
  return {{"name", name}, {"valueFrom", {{source, {{"name", ref_name}, {"key", key}}}}}};
}

json FieldEnv(const std::string& name, const std::string& path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
}

json HttpProbe(const std::string& path, int port, int delay, int period) {
  return {{"httpGet", {{"path", path}, {"port", port}, {"scheme", "HTTP"}}},
          {"initialDelaySeconds", delay},
          {"periodSeconds", period},
          {"timeoutSeconds", 2},
          {"failureThreshold", 3}};
}

json Resources(const std::string& cpu_req, const std::string& mem_req, const std::string& cpu_lim,
               const std::string& mem_lim) {
  return {{"requests", {{"cpu", cpu_req}, {"memory", mem_req}}},
          {"limits", {{"cpu", cpu_lim}, {"memory", mem_lim}}}};
}

json RestrictedSecurityContext() {
  return {{"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", true},
          {"runAsNonRoot", true},
          {"runAsUser", 65532},
          {"capabilities", {{"drop", {"ALL"}}}},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

json AppContainer(const std::string& app) {
  return {{"name", "app"},
          {"image", "registry.example.com/shop/" + app +
                        "@sha256:3f1c5b0e9a7d2c4b6e8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b"},
          {"imagePullPolicy", "IfNotPresent"},
          {"command", {"/app/server"}},
          {"args",
           {"--config=/etc/app/config.yaml", "--port=8080", "--metrics-port=9090",
            "--log-format=json"}},
          {"ports",
           {{{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}},
            {{"name", "metrics"}, {"containerPort", 9090}, {"protocol", "TCP"}}}},
          {"env",
           {Env("LIMEN_SOCKET", "/var/run/limen/outbound.sock"),
            Env("LIMEN_LOCATOR", "limen-operator.limen-system.svc:8443"),

            FieldEnv("POD_NAME", "metadata.name"), FieldEnv("POD_NAMESPACE", "metadata.namespace"),

            EnvFrom("DATABASE_URL", "secretKeyRef", app + "-db", "url")}},
          {"resources", Resources("250m", "256Mi", "1", "512Mi")},
          {"livenessProbe", HttpProbe("/healthz", 8080, 10, 10)},
          {"readinessProbe", HttpProbe("/readyz", 8080, 5, 5)},
          {"volumeMounts",
           {{{"name", "config"}, {"mountPath", "/etc/app"}, {"readOnly", true}},
            {{"name", "limen-socket"}, {"mountPath", "/var/run/limen"}},
            {{"name", "tmp"}, {"mountPath", "/tmp"}}}},
          {"securityContext", RestrictedSecurityContext()}};
}

json SidecarContainer() {
  return {{"name", "limen-proxy"},
          {"image",
           "docker.io/envoyproxy/envoy@sha256:"
           "7a1e3c5b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a0c"},
          {"restartPolicy", "Always"},
          {"args", {"-c", "/etc/limen/envoy.yaml", "--log-level", "warn"}},
          {"ports", {{{"name", "envoy-admin"}, {"containerPort", 15000}, {"protocol", "TCP"}}}},
          {"env", {FieldEnv("POD_NAME", "metadata.name"), FieldEnv("POD_IP", "status.podIP")}},
          {"resources", Resources("50m", "64Mi", "500m", "128Mi")},

          {"volumeMounts",
           {{{"name", "limen-socket"}, {"mountPath", "/var/run/limen"}},
            {{"name", "limen-config"}, {"mountPath", "/etc/limen"}, {"readOnly", true}}}},
          {"securityContext", RestrictedSecurityContext()}};
}

}  // namespace

std::string PodName(int index) {
  return "bench-app-" + Pad(index, 5) + "-5f7d8c9b4-" + Pad(index * 7919 % 100000, 5);
}

json MakeOwner(const std::string& ns, const std::string& name) {
  json labels = {{"bench.limen.dev/owner", "nothing-matches"}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "ReplicaSet"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"replicas", 0},
            {"selector", {{"matchLabels", labels}}},
            {"template",
             {{"metadata", {{"labels", labels}}},
              {"spec",
               {{"schedulerName", kSchedulerName},
                {"containers", {{{"name", "c"}, {"image", "example.invalid/none"}}}}}}}}}}};
}

json MakePod(const std::string& ns, int index, const std::string& owner_name,
             const std::string& owner_uid) {
  const std::string app = "checkout-" + Pad(index % 50, 2);
  json labels = {{"app.kubernetes.io/name", app},
                 {"app.kubernetes.io/instance", app + "-prod"},
                 {"app.kubernetes.io/version", "1.14." + std::to_string(index % 7)},
                 {"app.kubernetes.io/component", "api"},
                 {"app.kubernetes.io/part-of", "shop"},
                 {"app.kubernetes.io/managed-by", "Helm"},
                 {"pod-template-hash", "5f7d8c9b4"},
                 {"team", "payments"},
                 {kRoundLabel, "0"}};
  json annotations = {
      {"prometheus.io/scrape", "true"},
      {"prometheus.io/port", "9090"},

      {"kubectl.kubernetes.io/default-container", "app"},
      {"checksum/config", "9b3e1f7c2a5d8e0b4c6a1f3e5d7b9c0a2e4f6b8d0c1a3e5f7b9d1c3a5e7f9b0d"},
      {"limen.dev/injected", "shop-resilience@7c1e9a3f"},
      {"limen.dev/injection-status", "injected: policy shop-resilience selects app=" + app}};
  json spec = {
      {"schedulerName", kSchedulerName},
      {"serviceAccountName", "default"},
      {"terminationGracePeriodSeconds", 30},
      {"securityContext", {{"fsGroup", 65532}, {"runAsNonRoot", true}}},
      {"initContainers", json::array({SidecarContainer()})},
      {"containers", json::array({AppContainer(app)})},
      {"volumes",
       {{{"name", "config"}, {"configMap", {{"name", app + "-config"}}}},
        {{"name", "limen-config"}, {"configMap", {{"name", "limen-shop-resilience-sidecar"}}}},
        {{"name", "limen-socket"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "1Mi"}}}},
        {{"name", "tmp"}, {"emptyDir", json::object()}}}},
      {"nodeSelector", {{"kubernetes.io/os", "linux"}, {"node.kubernetes.io/pool", "general"}}},
      {"tolerations",
       {{{"key", "dedicated"},
         {"operator", "Equal"},
         {"value", "shop"},
         {"effect", "NoSchedule"}}}}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", PodName(index)},
            {"namespace", ns},
            {"labels", std::move(labels)},
            {"annotations", std::move(annotations)},
            {"ownerReferences",
             {{{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"name", owner_name},
               {"uid", owner_uid},
               {"controller", false},
               {"blockOwnerDeletion", true}}}}}},
          {"spec", std::move(spec)}};
}

}  // namespace limen::bench
