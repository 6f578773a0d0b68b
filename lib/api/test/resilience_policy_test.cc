#include "limen/api/resilience_policy.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

TEST(ResiliencePolicyTest, Defaults) {
  auto p = *Decode<ResiliencePolicy>(Json::parse(R"({"spec":{
      "circuitBreakers":[{"name":"a","strategy":"ErrorCount","errorCount":5,"probeNum":3}],
      "retries":{"attempts":0},"healthCheck":{"path":"/healthz"},"sidecar":{}}})"));
  SetDefaults(p);
  const CircuitBreaker& cb = p.spec.circuit_breakers[0];
  EXPECT_EQ(cb.threshold_percent, 60);
  EXPECT_EQ(cb.min_request_amount, 20);
  EXPECT_EQ(cb.stat_interval_seconds, 10);
  EXPECT_EQ(cb.bucket_count, 1);
  EXPECT_EQ(cb.retry_timeout_seconds, 5);
  EXPECT_EQ(cb.probe_num, 3);
  EXPECT_FALSE(cb.max_allowed_rt_millis.has_value());
  EXPECT_EQ(p.spec.retries->attempts, 0);
  EXPECT_EQ(p.spec.retries->backoff->base, "25ms");
  EXPECT_EQ(p.spec.retries->backoff->max, "250ms");
  EXPECT_EQ(p.spec.timeout, "15s");
  EXPECT_EQ(p.spec.health_check->timeout, "3s");
  EXPECT_EQ(p.spec.degraded_response->status, 503);
  EXPECT_EQ(p.spec.sidecar->log_level, "info");
  EXPECT_EQ(p.spec.sidecar->concurrency, 1);
}

TEST(ResiliencePolicyTest, AbsentOptionalObjectsStayAbsent) {
  auto p = *Decode<ResiliencePolicy>(Json::parse(R"({"spec":{"selector":{}}})"));
  SetDefaults(p);
  const Json spec = Encode(p)["spec"];
  EXPECT_FALSE(spec.contains("retries"));
  EXPECT_FALSE(spec.contains("healthCheck"));
  EXPECT_FALSE(spec.contains("sidecar"));
  EXPECT_EQ(spec["degradedResponse"], Json::parse(R"({"status":503})"));
}

TEST(ResiliencePolicyTest, WasmFilterConfigIsFreeForm) {
  const Json j = Json::parse(
      R"({"spec":{"wasmFilters":[{"name":"authz","config":{"a":[1,{"b":null}],"c":1.5}},{"name":"x"}]}})");
  const auto p = Decode<ResiliencePolicy>(j);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->spec.wasm_filters[0].config.has_value());
  EXPECT_FALSE(p->spec.wasm_filters[1].config.has_value());
  EXPECT_EQ(Encode(*p), j);
}

}  // namespace
}  // namespace limen::api
