#include "config/config.h"

#include <gtest/gtest.h>

namespace limen::op {
namespace {

using std::chrono::seconds;

TEST(ConfigTest, DefaultsWithoutFileOrFlags) {
  auto c = LoadOperatorConfig({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->metrics_addr, "127.0.0.1:8080");
  EXPECT_TRUE(c->leader_election.enabled);
  EXPECT_EQ(c->leader_election.lease_namespace, "limen-system");
  EXPECT_EQ(c->workers, 2);
  EXPECT_EQ(c->report_interval, seconds(15));
}

TEST(ConfigTest, ParsesEveryKey) {
  auto c = ParseConfigYaml(R"(
kubeconfig: /k
metricsAddr: 0.0.0.0:9090
leaderElection: {enabled: false, namespace: ops, leaseName: l, leaseDuration: 4s, renewDeadline: 3s, retryPeriod: 1s}
identity: me
watchNamespace: shop
workers: 4
logLevel: debug
logFormat: text
reportInterval: 2s
fieldManager: fm
clientQPS: 5.5
clientBurst: 7
reconcilers:
  wasmFilter: {allowImageTags: true, maxModuleSize: 2Mi, wasiImportModules: [wasi_snapshot_preview1, env]}
  resiliencePolicy:
    appPorts: [9090, 8080]
    envoy: {adminPort: 16000, statsPort: 16090, statsPath: /metrics, inboundPort: 16006,
            connectTimeout: 250ms, healthCheckInterval: 5s, unhealthyThreshold: 4,
            healthyThreshold: 2, maxConnections: 10, maxPendingRequests: 11, maxRequests: 12,
            maxRetries: 0}
)",
                           "op.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kubeconfig, "/k");
  EXPECT_EQ(c->metrics_addr, "0.0.0.0:9090");
  EXPECT_FALSE(c->leader_election.enabled);
  EXPECT_EQ(c->leader_election.lease_namespace, "ops");
  EXPECT_EQ(c->leader_election.lease_duration, std::chrono::milliseconds(4000));
  EXPECT_EQ(c->leader_election.retry_period, std::chrono::milliseconds(1000));
  EXPECT_EQ(c->identity, "me");
  EXPECT_EQ(c->watch_namespace, "shop");
  EXPECT_EQ(c->workers, 4);
  EXPECT_EQ(c->log_format, "text");
  EXPECT_EQ(c->report_interval, seconds(2));
  EXPECT_EQ(c->field_manager, "fm");
  EXPECT_DOUBLE_EQ(c->client_qps, 5.5);
  EXPECT_EQ(c->client_burst, 7);
  EXPECT_TRUE(c->wasm_filter.allow_image_tags);
  EXPECT_EQ(c->wasm_filter.max_module_size, 2u << 20);
  EXPECT_EQ(c->wasm_filter.wasi_import_modules,
            (std::vector<std::string>{"wasi_snapshot_preview1", "env"}));
  EXPECT_EQ(c->app_ports, (std::vector<int>{9090, 8080}));
  EXPECT_EQ(c->envoy.admin_port, 16000);
  EXPECT_EQ(c->envoy.stats_port, 16090);
  EXPECT_EQ(c->envoy.stats_path, "/metrics");
  EXPECT_EQ(c->envoy.inbound_port, 16006);
  EXPECT_EQ(c->envoy.connect_timeout_millis, 250);
  EXPECT_EQ(c->envoy.health_check_interval_seconds, 5);
  EXPECT_EQ(c->envoy.unhealthy_threshold, 4);
  EXPECT_EQ(c->envoy.healthy_threshold, 2);
  EXPECT_EQ(c->envoy.max_connections, 10);
  EXPECT_EQ(c->envoy.max_pending_requests, 11);
  EXPECT_EQ(c->envoy.max_requests, 12);
  EXPECT_EQ(c->envoy.max_retries, 0);
  EXPECT_TRUE(Validate(*c).ok()) << Validate(*c).ToString();
}

TEST(ConfigTest, ReconcilerDefaultsMatchTheLibraries) {
  auto c = LoadOperatorConfig({});
  ASSERT_TRUE(c.ok());
  const envoy::RenderConfig envoy_defaults;
  EXPECT_EQ(c->envoy.admin_port, envoy_defaults.admin_port);
  EXPECT_EQ(c->envoy.inbound_port, envoy_defaults.inbound_port);
  EXPECT_EQ(c->envoy.outbound_socket, "/var/run/limen/outbound.sock");
  EXPECT_EQ(c->app_ports, (std::vector<int>{8080}));
  EXPECT_FALSE(c->wasm_filter.allow_image_tags);
  EXPECT_EQ(c->wasm_filter.max_module_size, 8u << 20);
}

TEST(ConfigTest, ReconcilerSettingsAreValidated) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"reconcilers: {wasmFilters: {}}", "op.yaml: reconcilers.wasmFilters: unknown key"},
      {"reconcilers: {wasmFilter: {maxModuleSize: 8X}}",
       "op.yaml: reconcilers.wasmFilter.maxModuleSize: "},
      {"reconcilers: {wasmFilter: {maxModuleSize: -1}}", "maxModuleSize: must be positive"},
      {"reconcilers: {wasmFilter: {wasiImportModules: wasi}}",
       "wasiImportModules: expected a list"},
      {"reconcilers: {wasmFilter: {wasiImportModules: ['']}}",
       "reconcilers.wasmFilter.wasiImportModules[0]: must not be empty"},
      {"reconcilers: {resiliencePolicy: {appPorts: []}}",
       "reconcilers.resiliencePolicy.appPorts: must name at least one port"},
      {"reconcilers: {resiliencePolicy: {appPorts: [80, 70000]}}",
       "reconcilers.resiliencePolicy.appPorts[1]: port 70000 is not in 1..65535"},
      {"reconcilers: {resiliencePolicy: {appPorts: [4294975376]}}", "appPorts[0]: out of range"},
      {"reconcilers: {resiliencePolicy: {appPorts: [15000]}}",
       "appPorts: app port 15000 collides with a port of the sidecar"},
      {"reconcilers: {resiliencePolicy: {appPorts: [1, 2, 3], envoy: {adminPort: 15008}}}",
       "envoy.adminPort: collides with the inbound listeners 15006..15008"},
      {"reconcilers: {resiliencePolicy: {envoy: {statsPort: 15000}}}",
       "envoy.statsPort: must differ from adminPort"},
      {"reconcilers: {resiliencePolicy: {envoy: {statsPath: metrics}}}",
       "envoy.statsPath: must start with /"},
      {"reconcilers: {resiliencePolicy: {envoy: {connectTimeout: 1500us}}}",
       "envoy.connectTimeout: must be a whole number of milliseconds"},
      {"reconcilers: {resiliencePolicy: {envoy: {healthCheckInterval: 1500ms}}}",
       "envoy.healthCheckInterval: must be a whole number of seconds"},
      {"reconcilers: {resiliencePolicy: {envoy: {maxRequests: 0}}}",
       "envoy.maxRequests: must be at least 1"},
      {"reconcilers: {resiliencePolicy: {envoy: {inboundPort: 65535}, appPorts: [1, 2]}}",
       "envoy.inboundPort: inboundPort + the number of app ports exceeds 65535"},
      {"reconcilers: {resiliencePolicy: {envoy: {outboundSocket: /x}}}",
       "envoy.outboundSocket: unknown key"},
      {"reconcilers: {resiliencePolicy: []}", "reconcilers.resiliencePolicy: expected a map"},
  };
  for (const auto& c : cases) {
    auto r = ParseConfigYaml(c.yaml, "op.yaml");
    Status s = r.ok() ? Validate(*r) : r.status();
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_NE(s.message().find(c.want), std::string::npos) << c.yaml << " → " << s.message();
  }
}

TEST(ConfigTest, ErrorsNameTheFileAndKey) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"workerz: 2", "op.yaml: workerz: unknown key"},
      {"workers: two", "op.yaml: workers: not an integer"},
      {"reportInterval: 5d", "op.yaml: reportInterval:"},
      {"leaderElection: {enabled: maybe}", "op.yaml: leaderElection.enabled: not a boolean"},
      {"leaderElection: {lease: x}", "op.yaml: leaderElection.lease: unknown key"},
      {"[1, 2]", "op.yaml: expected a YAML map"},
      {"a: [", "op.yaml: invalid YAML"},
  };
  for (const auto& c : cases) {
    auto r = ParseConfigYaml(c.yaml, "op.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(FlagsTest, OverrideTheFile) {
  auto flags =
      ParseFlags({"--metrics-addr", "0.0.0.0:1", "--leader-elect=false", "--workers=3",
                  "--lease-namespace", "x", "--report-interval", "1s", "--log-level=warn"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  auto c = ParseConfigYaml("workers: 9\nmetricsAddr: 127.0.0.1:5", "f");
  ASSERT_TRUE(c.ok());
  ApplyFlags(*flags, *c);
  EXPECT_EQ(c->metrics_addr, "0.0.0.0:1");
  EXPECT_FALSE(c->leader_election.enabled);
  EXPECT_EQ(c->workers, 3);
  EXPECT_EQ(c->leader_election.lease_namespace, "x");
  EXPECT_EQ(c->report_interval, seconds(1));
  EXPECT_EQ(c->log_level, "warn");
  EXPECT_TRUE(ParseFlags({"--leader-elect"})->leader_elect.value());
}

TEST(FlagsTest, ReconcilerFlagsOverrideTheFile) {
  auto flags = ParseFlags({"--app-ports", "9000,9001", "--max-module-size=1Mi",
                           "--allow-image-tags", "--watch-namespace", "shop"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  auto c = ParseConfigYaml("reconcilers: {resiliencePolicy: {appPorts: [1]}}", "f");
  ASSERT_TRUE(c.ok());
  ApplyFlags(*flags, *c);
  EXPECT_EQ(c->app_ports, (std::vector<int>{9000, 9001}));
  EXPECT_EQ(c->wasm_filter.max_module_size, 1u << 20);
  EXPECT_TRUE(c->wasm_filter.allow_image_tags);
  EXPECT_EQ(c->watch_namespace, "shop");
  EXPECT_FALSE(ParseFlags({"--allow-image-tags=maybe"}).ok());
  EXPECT_FALSE(ParseFlags({"--app-ports", "80,,81"}).ok());
  EXPECT_FALSE(LoadOperatorConfig({"--app-ports", "0"}).ok());
}

TEST(FlagsTest, Errors) {
  EXPECT_FALSE(ParseFlags({"--bogus=1"}).ok());
  EXPECT_FALSE(ParseFlags({"--workers"}).ok());
  EXPECT_FALSE(ParseFlags({"stray"}).ok());
  EXPECT_FALSE(LoadOperatorConfig({"--workers", "0"}).ok());
  EXPECT_FALSE(LoadOperatorConfig({"--metrics-addr", "nope"}).ok());
  EXPECT_FALSE(LoadOperatorConfig({"--config", "/nonexistent.yaml"}).ok());
}

TEST(HostPortTest, Table) {
  EXPECT_EQ(ParseHostPort("127.0.0.1:8080")->port, 8080);
  EXPECT_EQ(ParseHostPort("[::1]:9")->host, "::1");
  EXPECT_FALSE(ParseHostPort("host").ok());
  EXPECT_FALSE(ParseHostPort(":80").ok());
  EXPECT_FALSE(ParseHostPort("h:0").ok());
  EXPECT_FALSE(ParseHostPort("h:70000").ok());
}

}  // namespace
}  // namespace limen::op
