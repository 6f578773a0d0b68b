// Table tests of the mapping pieces (src/plan.h): durations, method classes, outlier
// detection merging, filter order, retry policy, local replies, names and paths.
#include <gtest/gtest.h>

#include "plan.h"

namespace limen::envoy::internal {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(ProtoDuration, ProtojsonSpelling) {
  const std::vector<std::pair<nanoseconds, std::string>> table = {
      {0ns, "0s"},          {15s, "15s"},          {25ms, "0.025s"},     {1500ms, "1.500s"},
      {250us, "0.000250s"}, {1ns, "0.000000001s"}, {90250ms, "90.250s"}, {2160h, "7776000s"},
  };
  for (const auto& [d, want] : table) EXPECT_EQ(ProtoDuration(d), want) << d.count();
}

TEST(ParseSpecDuration, NamesTheField) {
  auto ok = ParseSpecDuration("1m30s", "spec.timeout");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 90s);
  auto bad = ParseSpecDuration("soon", "spec.retries.perTryTimeout");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("spec.retries.perTryTimeout: ", 0), 0u);
}

TEST(MethodClasses, UnrestrictedBreakersGiveOneCluster) {
  const auto classes = BuildMethodClasses("pay", {0, 1}, {{}, {}});
  ASSERT_EQ(classes.size(), 1u);
  EXPECT_EQ(classes[0].cluster, "upstream.pay");
  EXPECT_TRUE(classes[0].methods.empty());
  EXPECT_EQ(classes[0].breakers, (std::vector<size_t>{0, 1}));
}

TEST(MethodClasses, MethodsWithTheSameBreakersShareAClass) {
  // 0: GET HEAD; 1: every method; 2: POST PUT; 3: POST (not applying: index 4 excluded).
  const std::vector<std::vector<std::string>> methods = {
      {"GET", "HEAD"}, {}, {"POST", "PUT"}, {"POST"}, {"DELETE"}};
  const auto classes = BuildMethodClasses("pay", {0, 1, 2, 3}, methods);
  ASSERT_EQ(classes.size(), 4u);
  EXPECT_EQ(classes[0].cluster, "upstream.pay.get-head");
  EXPECT_EQ(classes[0].breakers, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(classes[1].cluster, "upstream.pay.post");
  EXPECT_EQ(classes[1].breakers, (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(classes[2].cluster, "upstream.pay.put");
  EXPECT_EQ(classes[2].breakers, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(classes[3].cluster, "upstream.pay");  // default class last
  EXPECT_EQ(classes[3].breakers, (std::vector<size_t>{1}));
}

Plan PlanWith(std::vector<Breaker> breakers) {
  Plan p;
  p.breakers = std::move(breakers);
  return p;
}

TEST(OutlierDetection, ErrorRatio) {
  const Plan p = PlanWith({{"r", "ErrorRatio", 60, 0, 20, 10, 5, 0}});
  const json od = OutlierDetection(p, {0});
  EXPECT_EQ(od["failure_percentage_threshold"], 60);
  EXPECT_EQ(od["failure_percentage_request_volume"], 20);
  EXPECT_EQ(od["failure_percentage_minimum_hosts"], 1);
  EXPECT_EQ(od["enforcing_failure_percentage"], 100);
  EXPECT_EQ(od["interval"], "10s");
  EXPECT_EQ(od["base_ejection_time"], "5s");
  EXPECT_EQ(od["max_ejection_time"], "5s");
  EXPECT_EQ(od["max_ejection_percent"], 100);
  EXPECT_EQ(od["enforcing_consecutive_5xx"], 0);
  EXPECT_EQ(od["enforcing_success_rate"], 0);
  EXPECT_FALSE(od.contains("consecutive_5xx"));
}

TEST(OutlierDetection, ErrorCount) {
  const Plan p = PlanWith({{"c", "ErrorCount", 60, 7, 20, 10, 30, 0}});
  const json od = OutlierDetection(p, {0});
  EXPECT_EQ(od["consecutive_5xx"], 7);
  EXPECT_EQ(od["enforcing_consecutive_5xx"], 100);
  EXPECT_EQ(od["enforcing_failure_percentage"], 0);
  EXPECT_FALSE(od.contains("failure_percentage_threshold"));
}

TEST(OutlierDetection, MergesToTheMostSensitive) {
  const Plan p = PlanWith({{"r", "ErrorRatio", 70, 0, 50, 20, 4, 0},
                           {"s", "SlowRequestRatio", 30, 0, 15, 60, 9, 1200},
                           {"c", "ErrorCount", 60, 12, 20, 10, 5, 0}});
  const json od = OutlierDetection(p, {0, 1, 2});
  EXPECT_EQ(od["failure_percentage_threshold"], 30);
  EXPECT_EQ(od["failure_percentage_request_volume"], 15);
  EXPECT_EQ(od["consecutive_5xx"], 12);
  EXPECT_EQ(od["interval"], "10s");
  EXPECT_EQ(od["base_ejection_time"], "9s");
}

TEST(Wasm, OrderIsPhaseThenPriorityThenName) {
  std::vector<WasmPlan> w = {{"u", "", 3, 0, false, {}},  {"s", "", 2, 0, false, {}},
                             {"z1", "", 1, 5, false, {}}, {"z2", "", 1, 9, false, {}},
                             {"a", "", 1, 5, false, {}},  {"n", "", 0, -3, false, {}}};
  SortWasmFilters(w);
  std::vector<std::string> names;
  for (const auto& x : w) names.push_back(x.name);
  EXPECT_EQ(names, (std::vector<std::string>{"n", "z2", "a", "z1", "s", "u"}));
}

TEST(Wasm, FilterPointsAtTheMountedModuleAndCarriesTheDigest) {
  const WasmPlan w{"authz", std::string(64, 'a'), 1, 0, true, json{{"k", "v"}}};
  const json f = WasmHttpFilter(w, RenderConfig{});
  const json& plugin = f["typed_config"]["config"];
  EXPECT_EQ(plugin["vm_config"]["code"]["local"]["filename"],
            "/var/run/limen/wasm/authz/module.wasm");
  EXPECT_EQ(plugin["vm_config"]["vm_id"], "authz@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(plugin["vm_config"]["runtime"], "envoy.wasm.runtime.v8");
  EXPECT_EQ(plugin["failure_policy"], "FAIL_OPEN");
  EXPECT_EQ(plugin["configuration"]["value"], R"({"k":"v"})");
}

TEST(Names, PathsAndPorts) {
  EXPECT_EQ(WasmModulePath("authz"), "/var/run/limen/wasm/authz/module.wasm");
  EXPECT_EQ(WasmModulePath("x", "/m"), "/m/x/module.wasm");
  EXPECT_EQ(ConfigMapName("checkout"), "limen-checkout-sidecar");
  EXPECT_EQ(InboundListenPort(RenderConfig{}, 2), 15008);
}

TEST(Retries, RetryPolicy) {
  RetryPlan r{3, 2s, 25ms, 250ms};
  const json p = RetryPolicy(r);
  EXPECT_EQ(p, json::parse(R"({"retry_on": "5xx,reset,connect-failure,refused-stream",
    "num_retries": 3, "per_try_timeout": "2s",
    "retry_back_off": {"base_interval": "0.025s", "max_interval": "0.250s"}})"));
  r.per_try_timeout.reset();
  EXPECT_FALSE(RetryPolicy(r).contains("per_try_timeout"));
}

TEST(LocalReply, BreakerOpenAndOverflow) {
  Plan p;
  p.degraded_status = 429;
  p.degraded_body = R"({"error":"busy"})";
  const json lr = LocalReplyConfig(p);
  ASSERT_EQ(lr["mappers"].size(), 2u);
  EXPECT_EQ(lr["mappers"][0]["filter"]["response_flag_filter"]["flags"][0], "UH");
  EXPECT_EQ(lr["mappers"][1]["filter"]["response_flag_filter"]["flags"][0], "UO");
  EXPECT_EQ(lr["mappers"][0]["status_code"], 429);
  EXPECT_EQ(lr["mappers"][0]["body"]["inline_string"], p.degraded_body);
  EXPECT_EQ(lr["mappers"][0]["body_format_override"]["content_type"], "application/json");
  p.degraded_body = "plain 100%";
  EXPECT_FALSE(LocalReplyConfig(p)["mappers"][0].contains("body_format_override"));
}

TEST(Plan, DomainsAvoidCollisions) {
  api::ResiliencePolicy policy;
  policy.spec.upstreams = {{"a", "h.ns", 80, {}}, {"b", "h.ns", 81, {}}, {"h.ns", "x.ns", 80, {}}};
  auto plan = BuildPlan(policy, {}, {}, RenderConfig{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->upstreams[0].domains, (std::vector<std::string>{"h.ns:80", "a"}));
  EXPECT_EQ(plan->upstreams[1].domains, (std::vector<std::string>{"h.ns:81", "b"}));
  EXPECT_EQ(plan->upstreams[2].domains, (std::vector<std::string>{"x.ns:80", "x.ns"}));
}

TEST(Plan, SlowRequestRatioCapsTheRouteTimeout) {
  api::ResiliencePolicy policy;
  policy.spec.upstreams = {{"a", "a.ns", 80, {}}};
  api::CircuitBreaker b;
  b.name = "slow";
  b.strategy = "SlowRequestRatio";
  b.max_allowed_rt_millis = 300;
  policy.spec.circuit_breakers = {b};
  auto plan = BuildPlan(policy, {}, {}, RenderConfig{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const json routes = OutboundRouteConfig(*plan)["virtual_hosts"][0]["routes"];
  EXPECT_EQ(routes[0]["route"]["timeout"], "0.300s");
}

}  // namespace
}  // namespace limen::envoy::internal
