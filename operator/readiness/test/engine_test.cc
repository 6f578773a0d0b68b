#include "limen/readiness/engine.h"

#include <gtest/gtest.h>

#include "limen/api/well_known.h"

namespace limen::readiness {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Time kT0 = Time{} + hours(24 * 365 * 56);  // 2026

api::ReadinessThresholds Thresholds(Duration sustain = hours(2160)) {
  return {milliseconds(12), 3'200'000, 92, 2, sustain};
}

// A pod that meets all three thresholds, reported at `at`.
PodSample GoodPod(const std::string& uid, Time at) {
  return {uid, 8'000'000, 2'900'000, 9'700, 300, at};
}

Inputs Make(std::vector<PodSample> pods, Time now, Duration sustain = hours(2160)) {
  Inputs in;
  in.pods = std::move(pods);
  in.thresholds = Thresholds(sustain);
  in.now = now;
  in.generation = 3;
  return in;
}

// Feeds an evaluation's status back as the next input's previous status.
Inputs Next(const Inputs& before, const Evaluation& e, Time now) {
  Inputs in = before;
  in.previous_criteria = e.criteria;
  in.previous_conditions = e.conditions;
  in.now = now;
  for (auto& p : in.pods) p.reported_at = now;
  return in;
}

const api::Criterion& Crit(const Evaluation& e, std::string_view name) {
  for (const auto& c : e.criteria) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "no criterion " << name;
  return e.criteria.front();
}

std::string CondStatus(const Evaluation& e, std::string_view type) {
  const auto* c = api::FindStatusCondition(e.conditions, type);
  return c ? c->status : "missing";
}

TEST(PercentileTest, NearestRank) {
  EXPECT_EQ(Percentile({5}, 95), 5);
  EXPECT_EQ(Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50), 5);
  EXPECT_EQ(Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95), 10);
  std::vector<int64_t> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  EXPECT_EQ(Percentile(hundred, 95), 95);
  EXPECT_EQ(Percentile(hundred, 100), 100);
}

TEST(EngineTest, MeasuresAllThreeCriteria) {
  Inputs in = Make({GoodPod("a", kT0), {"b", 11'000'000, 3'100'000, 9'000, 0, kT0}}, kT0);
  Evaluation e = Evaluate(in);
  EXPECT_EQ(e.measurements.startup.p50, "8.0ms");
  EXPECT_EQ(e.measurements.startup.p95, "11.0ms");
  EXPECT_EQ(e.measurements.startup.max, "11.0ms");
  EXPECT_EQ(e.measurements.memory, "3.1M");
  EXPECT_EQ(e.measurements.memory_bytes, 3'100'000);
  EXPECT_EQ(e.measurements.coverage_basis_points, 9842);  // 18700 / 19000
  EXPECT_EQ(e.measurements.coverage, "98.4%");
  EXPECT_EQ(e.criteria_met, 3);
  EXPECT_EQ(e.criteria_summary, "3/3");
  EXPECT_EQ(Crit(e, "Startup").met, "True");
  EXPECT_EQ(Crit(e, "Startup").threshold, "12.0ms");
  EXPECT_EQ(*Crit(e, "Memory").met_since, api::TruncateToSeconds(kT0));
  EXPECT_EQ(CondStatus(e, "ThresholdsMet"), "True");
  EXPECT_EQ(CondStatus(e, "Ready"), "False");
}

TEST(EngineTest, CoverageIsFlooredSoItNeverRoundsIntoMeetingTheThreshold) {
  Inputs in = Make({{"a", 0, 0, 9199, 801, kT0}}, kT0);  // 91.99 %
  Evaluation e = Evaluate(in);
  EXPECT_EQ(e.measurements.coverage_basis_points, 9199);
  EXPECT_EQ(Crit(e, "Coverage").met, "False");
  EXPECT_EQ(Crit(e, "Coverage").reason, "BelowThreshold");
}

TEST(EngineTest, SustainedAfterWindowAndRequeueIsExactlyTheWindow) {
  Inputs in = Make({GoodPod("a", kT0)}, kT0, seconds(10));
  Evaluation e = Evaluate(in);
  EXPECT_FALSE(e.sustained);
  ASSERT_TRUE(e.requeue_after);
  EXPECT_EQ(*e.requeue_after, seconds(10));
  EXPECT_EQ(api::FindStatusCondition(e.conditions, "Ready")->reason, "Sustaining");

  Evaluation later = Evaluate(Next(in, e, kT0 + seconds(4)));
  EXPECT_FALSE(later.sustained);
  EXPECT_EQ(*later.requeue_after, seconds(6));

  Evaluation done = Evaluate(Next(in, later, kT0 + seconds(10)));
  EXPECT_TRUE(done.sustained);
  const auto* ready = api::FindStatusCondition(done.conditions, "Ready");
  EXPECT_EQ(ready->status, "True");
  EXPECT_EQ(ready->reason, "Sustained");
  EXPECT_EQ(*ready->last_transition_time, kT0 + seconds(10));
  // Once sustained, the only wake-up left is data going stale (3 × 15 s after the report).
  EXPECT_EQ(*done.requeue_after, seconds(45));
}

TEST(EngineTest, KOfNUsesTheKthEarliestWindow) {
  // Startup fails; Memory has held 5 s longer than Coverage. With k = 2 the workload is
  // sustained when the *later* of the two completes.
  Inputs in = Make({{"a", 50'000'000, 2'000'000, 100, 0, kT0}}, kT0, seconds(60));
  in.previous_criteria = {{"Memory", "True", "", "", kT0 - seconds(20), "", nullptr},
                          {"Coverage", "True", "", "", kT0 - seconds(15), "", nullptr}};
  Evaluation e = Evaluate(in);
  EXPECT_EQ(Crit(e, "Startup").met, "False");
  EXPECT_EQ(e.criteria_met, 2);
  EXPECT_EQ(CondStatus(e, "ThresholdsMet"), "True");
  EXPECT_EQ(*e.requeue_after, seconds(45));

  in.thresholds.required_criteria = 3;
  Evaluation all = Evaluate(in);
  EXPECT_EQ(CondStatus(all, "ThresholdsMet"), "False");
  EXPECT_FALSE(all.sustained);
  // No window can complete: only staleness is left to wake up for.
  EXPECT_EQ(*all.requeue_after, seconds(45));

  in.thresholds.required_criteria = 1;
  EXPECT_EQ(*Evaluate(in).requeue_after, seconds(40));
}

TEST(EngineTest, BreakingACriterionResetsItsWindow) {
  Inputs in = Make({GoodPod("a", kT0)}, kT0, seconds(10));
  Evaluation e = Evaluate(in);
  Inputs broken = Next(in, e, kT0 + seconds(5));
  broken.pods[0].rss_bytes = 5'000'000;
  Evaluation b = Evaluate(broken);
  EXPECT_EQ(Crit(b, "Memory").met, "False");
  EXPECT_FALSE(Crit(b, "Memory").met_since);
  Inputs fixed = Next(broken, b, kT0 + seconds(7));
  fixed.pods[0].rss_bytes = 2'000'000;
  Evaluation f = Evaluate(fixed);
  EXPECT_EQ(*Crit(f, "Memory").met_since, kT0 + seconds(7));
  EXPECT_EQ(*Crit(f, "Startup").met_since, kT0);  // never broke
  // Startup and Coverage have held since T0: sustained at T0+10 (k = 2) regardless of Memory.
  EXPECT_EQ(*f.requeue_after, seconds(3));
}

TEST(EngineTest, StaleDataIsUnknownNotMetAndResetsWindows) {
  Inputs in = Make({GoodPod("a", kT0)}, kT0, seconds(10));
  Evaluation e = Evaluate(in);
  Inputs stale = Next(in, e, kT0 + seconds(46));
  stale.pods[0].reported_at = kT0;  // the node agent stopped reporting
  Evaluation s = Evaluate(stale);
  for (const auto& c : s.criteria) {
    EXPECT_EQ(c.met, "Unknown") << c.name;
    EXPECT_EQ(c.reason, "StaleData") << c.name;
    EXPECT_FALSE(c.met_since) << c.name;
  }
  EXPECT_EQ(CondStatus(s, "ThresholdsMet"), "Unknown");
  EXPECT_EQ(CondStatus(s, "Ready"), "False");
  EXPECT_FALSE(s.requeue_after);  // nothing changes until new data arrives (an informer event)

  // Exactly 3 × interval old is still fresh; one nanosecond more is not.
  Inputs edge = Next(in, e, kT0 + seconds(45));
  edge.pods[0].reported_at = kT0;
  EXPECT_EQ(Crit(Evaluate(edge), "Memory").met, "True");
}

TEST(EngineTest, NoPodsIsNoDataAndPartialSamplesAreUnknownPerCriterion) {
  Evaluation none = Evaluate(Make({}, kT0));
  EXPECT_EQ(Crit(none, "Startup").reason, "NoData");
  EXPECT_EQ(CondStatus(none, "ThresholdsMet"), "Unknown");

  // Started but no events yet, no startup sample: only Memory is known.
  Evaluation partial = Evaluate(Make({{"a", 0, 1'000'000, 0, 0, kT0}}, kT0));
  EXPECT_EQ(Crit(partial, "Startup").met, "Unknown");
  EXPECT_EQ(Crit(partial, "Startup").reason, "NoStartupSamples");
  EXPECT_EQ(Crit(partial, "Coverage").reason, "NoEvents");
  EXPECT_EQ(Crit(partial, "Memory").met, "True");
  EXPECT_EQ(CondStatus(partial, "ThresholdsMet"), "Unknown");  // 1 met + 2 unknown ≥ 2
}

TEST(EngineTest, ContinuityFromAStatusWrittenByAnEarlierProcess) {
  // A new operator process (or a new leader) starts with only what the status says.
  Inputs in = Make({GoodPod("a", kT0 + hours(2000))}, kT0 + hours(2000));
  in.previous_criteria = {
      {"Startup", "True", "8.0ms", "12.0ms", kT0, "WithinThreshold", nullptr},
      {"Memory", "True", "2.9M", "3.2M", kT0 + hours(1), "WithinThreshold", nullptr},
      {"Coverage", "False", "90.0%", "92.0%", std::nullopt, "BelowThreshold", nullptr}};
  Evaluation e = Evaluate(in);
  EXPECT_EQ(*Crit(e, "Startup").met_since, kT0);
  EXPECT_EQ(*Crit(e, "Memory").met_since, kT0 + hours(1));
  EXPECT_EQ(*Crit(e, "Coverage").met_since, api::TruncateToSeconds(kT0 + hours(2000)));
  EXPECT_EQ(*e.sustained_at, kT0 + hours(2161));  // Memory completes 2160 h after T0+1h
  // The sample goes stale long before that: the next wake-up is 3 × 15 s away.
  EXPECT_EQ(*e.requeue_after, seconds(45));
  ASSERT_EQ(e.transitions.size(),
            3u);  // Coverage False→True, ThresholdsMet ""→True, Ready ""→False
  EXPECT_EQ(e.transitions[0].subject, "Coverage");
}

TEST(EngineTest, ClockGoingBackwardsNeitherSustainsNorResets) {
  Inputs in = Make({GoodPod("a", kT0 - hours(1))}, kT0 - hours(1), seconds(10));
  in.previous_criteria = {{"Startup", "True", "", "", kT0, "", nullptr},
                          {"Memory", "True", "", "", kT0, "", nullptr}};
  Evaluation e = Evaluate(in);
  EXPECT_EQ(*Crit(e, "Startup").met_since, kT0);  // kept, not moved backwards
  EXPECT_FALSE(e.sustained);
  EXPECT_EQ(HeldFor(Crit(e, "Startup"), in.now), Duration::zero());
  EXPECT_EQ(*e.requeue_after, seconds(10));  // counts the window from now, conservatively
}

TEST(EngineTest, SampledAtIsTheNewestReportNotTheEvaluationTime) {
  Inputs in = Make({GoodPod("a", kT0), GoodPod("b", kT0 + seconds(7))}, kT0 + seconds(20));
  Evaluation e = Evaluate(in);
  EXPECT_EQ(*e.measurements.sampled_at, kT0 + seconds(7));
  in.now = kT0 + seconds(30);  // re-evaluating the same reports later changes nothing
  EXPECT_EQ(*Evaluate(in).measurements.sampled_at, kT0 + seconds(7));
}

TEST(EngineTest, NoTransitionsWhenNothingChanged) {
  Inputs in = Make({GoodPod("a", kT0)}, kT0);
  Evaluation e = Evaluate(in);
  EXPECT_FALSE(e.transitions.empty());
  Evaluation again = Evaluate(Next(in, e, kT0 + seconds(15)));
  EXPECT_TRUE(again.transitions.empty());
  EXPECT_EQ(again.conditions.size(), 2u);
  EXPECT_EQ(*api::FindStatusCondition(again.conditions, "ThresholdsMet")->last_transition_time,
            api::TruncateToSeconds(kT0));
}

}  // namespace
}  // namespace limen::readiness
