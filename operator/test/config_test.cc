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
workers: 4
logLevel: debug
logFormat: text
reportInterval: 2s
fieldManager: fm
clientQPS: 5.5
clientBurst: 7
reconcilers: {resiliencepolicy: {sidecarImage: envoy@sha256:abc}}
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
  EXPECT_EQ(c->workers, 4);
  EXPECT_EQ(c->log_format, "text");
  EXPECT_EQ(c->report_interval, seconds(2));
  EXPECT_EQ(c->field_manager, "fm");
  EXPECT_DOUBLE_EQ(c->client_qps, 5.5);
  EXPECT_EQ(c->client_burst, 7);
  EXPECT_EQ(c->reconcilers["resiliencepolicy"]["sidecarImage"], "envoy@sha256:abc");
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
