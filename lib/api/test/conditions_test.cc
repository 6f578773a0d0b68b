#include "limen/api/conditions.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

Time At(const char* text) { return *ParseTime(text); }

Condition Make(std::string type, std::string status, std::string reason, int64_t generation = 1) {
  Condition c;
  c.type = std::move(type);
  c.status = std::move(status);
  c.reason = std::move(reason);
  c.message = "m";
  c.observed_generation = generation;
  return c;
}

TEST(SetStatusConditionTest, AddsWithNowTruncatedToSeconds) {
  std::vector<Condition> conditions;
  const Time now = At("2024-05-01T10:00:00Z") + milliseconds(750);
  EXPECT_TRUE(SetStatusCondition(conditions, Make("Ready", "False", "Waiting"), now));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].last_transition_time, At("2024-05-01T10:00:00Z"));
}

TEST(SetStatusConditionTest, KeepsTransitionTimeWhenStatusUnchanged) {
  std::vector<Condition> conditions;
  const Time t0 = At("2024-05-01T10:00:00Z");
  ASSERT_TRUE(SetStatusCondition(conditions, Make("Ready", "True", "Sustained"), t0));
  // Same everything: no change at all.
  EXPECT_FALSE(SetStatusCondition(conditions, Make("Ready", "True", "Sustained"), t0 + hours(1)));
  // Reason/message/generation change: changed, but the transition time stays.
  Condition c = Make("Ready", "True", "StillSustained", 2);
  c.message = "other";
  EXPECT_TRUE(SetStatusCondition(conditions, c, t0 + hours(2)));
  EXPECT_EQ(conditions[0].last_transition_time, t0);
  EXPECT_EQ(conditions[0].reason, "StillSustained");
  EXPECT_EQ(conditions[0].message, "other");
  EXPECT_EQ(conditions[0].observed_generation, 2);
}

TEST(SetStatusConditionTest, MovesTransitionTimeWhenStatusChanges) {
  std::vector<Condition> conditions;
  const Time t0 = At("2024-05-01T10:00:00Z");
  ASSERT_TRUE(SetStatusCondition(conditions, Make("Ready", "True", "Sustained"), t0));
  EXPECT_TRUE(SetStatusCondition(conditions, Make("Ready", "False", "Broken"), t0 + hours(3)));
  EXPECT_EQ(conditions[0].last_transition_time, t0 + hours(3));
  // An explicit lastTransitionTime on the new condition wins.
  Condition c = Make("Ready", "Unknown", "Lost");
  c.last_transition_time = At("2020-01-01T00:00:00Z");
  EXPECT_TRUE(SetStatusCondition(conditions, c, t0 + hours(4)));
  EXPECT_EQ(conditions[0].last_transition_time, At("2020-01-01T00:00:00Z"));
}

TEST(SetStatusConditionTest, TypesAreIndependent) {
  std::vector<Condition> conditions;
  const Time t0 = At("2024-05-01T10:00:00Z");
  ASSERT_TRUE(SetStatusCondition(conditions, Make("Ready", "True", "Sustained"), t0));
  ASSERT_TRUE(SetStatusCondition(conditions, Make("ThresholdsMet", "False", "Startup"), t0));
  EXPECT_EQ(conditions.size(), 2u);
  EXPECT_TRUE(IsStatusConditionTrue(conditions, "Ready"));
  EXPECT_TRUE(IsStatusConditionFalse(conditions, "ThresholdsMet"));
  EXPECT_FALSE(IsStatusConditionTrue(conditions, "Missing"));
  EXPECT_FALSE(IsStatusConditionFalse(conditions, "Missing"));
  ASSERT_NE(FindStatusCondition(conditions, "ThresholdsMet"), nullptr);
  EXPECT_EQ(FindStatusCondition(conditions, "ThresholdsMet")->reason, "Startup");
  EXPECT_EQ(FindStatusCondition(conditions, "Missing"), nullptr);
  EXPECT_TRUE(RemoveStatusCondition(conditions, "Ready"));
  EXPECT_FALSE(RemoveStatusCondition(conditions, "Ready"));
  EXPECT_EQ(conditions.size(), 1u);
}

TEST(ConditionTest, JsonRoundTrip) {
  const Json j = Json::parse(R"({"type":"Ready","status":"True","observedGeneration":3,
      "lastTransitionTime":"2024-05-01T10:00:00Z","reason":"Sustained","message":"","x":[1]})");
  const auto c = Decode<Condition>(j);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->last_transition_time, At("2024-05-01T10:00:00Z"));
  EXPECT_EQ(Encode(*c), j);
  EXPECT_EQ(
      Decode<Condition>(Json::parse(R"({"lastTransitionTime":"yesterday"})")).status().message(),
      "lastTransitionTime: invalid RFC 3339 time \"yesterday\": want a date YYYY-MM-DD");
}

}  // namespace
}  // namespace limen::api
