#include "limen/api/observability_policy.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

TEST(ObservabilityPolicyTest, DefaultsFillOnlyAbsentFields) {
  auto p =
      *Decode<ObservabilityPolicy>(Json::parse(R"({"spec":{"readiness":{"coveragePercent":0}}})"));
  SetDefaults(p);
  const Readiness& r = *p.spec.readiness;
  EXPECT_EQ(r.startup_millis, 12);
  EXPECT_EQ(r.memory, "3.2M");
  EXPECT_EQ(r.coverage_percent, 0);  // explicit zero is kept
  EXPECT_EQ(r.required_criteria, 2);
  EXPECT_EQ(r.sustain_for, "2160h");
  EXPECT_EQ(Encode(p)["spec"]["readiness"],
            Json::parse(R"({"startupMillis":12,"memory":"3.2M","coveragePercent":0,
                            "requiredCriteria":2,"sustainFor":"2160h"})"));
}

TEST(ObservabilityPolicyTest, ResolvesReadiness) {
  const auto t = ResolveReadiness(std::nullopt);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->startup, std::chrono::milliseconds(12));
  EXPECT_EQ(t->memory_bytes, 3'200'000);
  EXPECT_EQ(t->coverage_percent, 92);
  EXPECT_EQ(t->required_criteria, 2);
  EXPECT_EQ(t->sustain_for, std::chrono::hours(2160));
  Readiness bad;
  bad.memory = "3.2X";
  EXPECT_EQ(
      ResolveReadiness(bad).status().message().rfind("spec.readiness.memory: invalid quantity", 0),
      0u);
  bad.memory = "4Mi";
  bad.sustain_for = "90d";
  EXPECT_EQ(ResolveReadiness(bad).status().message().rfind(
                "spec.readiness.sustainFor: invalid duration", 0),
            0u);
}

TEST(ObservabilityPolicyTest, SelectorPresence) {
  const auto none = *Decode<ObservabilityPolicy>(Json::parse(R"({"spec":{}})"));
  EXPECT_FALSE(none.spec.selector.has_value());
  EXPECT_TRUE(ToSelector(none.spec.selector)->IsNothing());
  const auto all = *Decode<ObservabilityPolicy>(Json::parse(R"({"spec":{"selector":{}}})"));
  EXPECT_TRUE(ToSelector(all.spec.selector)->IsEverything());
  EXPECT_EQ(Encode(all)["spec"]["selector"], Json::object());
}

TEST(ObservabilityPolicyTest, DecodeErrorsNameThePath) {
  const auto p = Decode<ObservabilityPolicy>(
      Json::parse(R"({"spec":{"readiness":{"coveragePercent":"92"}}})"));
  EXPECT_EQ(p.status().message(), "spec.readiness.coveragePercent: expected integer, got string");
  const auto q = Decode<ObservabilityPolicy>(
      Json::parse(R"({"status":{"nodes":{"failing":[{"node":"a"},{"node":7}]}}})"));
  EXPECT_EQ(q.status().message(), "status.nodes.failing[1].node: expected string, got number");
}

}  // namespace
}  // namespace limen::api
