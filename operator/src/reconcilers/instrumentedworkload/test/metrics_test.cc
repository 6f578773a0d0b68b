#include "reconcilers/instrumentedworkload/metrics.h"

#include <gtest/gtest.h>

#include "limen/api/well_known.h"

namespace limen::op::iwl {
namespace {

using std::chrono::seconds;

const api::Time kT0 = *api::ParseTime("2026-03-01T10:00:00Z");

// name{labels} → value of every gauge sample in the registry.
std::map<std::string, double> Samples(prometheus::Registry& r) {
  std::map<std::string, double> out;
  for (const auto& family : r.Collect()) {
    for (const auto& m : family.metric) {
      std::string key = family.name + "{";
      for (const auto& l : m.label) key += l.name + "=" + l.value + ",";
      out[key + "}"] = m.gauge.value;
    }
  }
  return out;
}

readiness::Evaluation Eval(api::Time now) {
  readiness::Inputs in;
  in.pods = {{"a", 8'000'000, 2'900'000, 952, 48, now}};
  in.thresholds = {std::chrono::milliseconds(12), 3'200'000, 92, 2, seconds(10)};
  in.now = now;
  return readiness::Evaluate(in);
}

TEST(MakeSnapshotTest, BaseUnits) {
  const auto e = Eval(kT0);
  const Snapshot s = MakeSnapshot(e, {std::chrono::milliseconds(12), 3'200'000, 92, 2, seconds(10)},
                                  {{"a", 8'000'000, 2'900'000, 952, 48, kT0}});
  ASSERT_EQ(s.criteria.size(), 3u);
  EXPECT_EQ(s.criteria[0], (CriterionSample{"Startup", 0.008, 0.012, true}));
  EXPECT_EQ(s.criteria[1], (CriterionSample{"Memory", 2'900'000.0, 3'200'000.0, true}));
  EXPECT_EQ(s.criteria[2], (CriterionSample{"Coverage", 0.952, 0.92, true}));
  EXPECT_FALSE(s.sustained);
  ASSERT_TRUE(s.sustaining_since);
  EXPECT_EQ(*s.sustaining_since, kT0);
}

TEST(WorkloadMetricsTest, SeriesLabelsRefreshAndRemoval) {
  prometheus::Registry r;
  WorkloadMetrics m(r);
  const Snapshot s =
      MakeSnapshot(Eval(kT0), {std::chrono::milliseconds(12), 3'200'000, 92, 2, seconds(10)},
                   {{"a", 8'000'000, 2'900'000, 952, 48, kT0}});
  m.Set("shop", "deployment-web", s, kT0 + seconds(4));
  auto got = Samples(r);
  EXPECT_DOUBLE_EQ(got["limen_workload_criterion_value{criterion=Memory,namespace=shop,workload="
                       "deployment-web,}"],
                   2'900'000);
  EXPECT_DOUBLE_EQ(got["limen_workload_criterion_threshold{criterion=Coverage,namespace=shop,"
                       "workload=deployment-web,}"],
                   0.92);
  EXPECT_DOUBLE_EQ(got["limen_workload_criterion_met{criterion=Startup,namespace=shop,workload="
                       "deployment-web,}"],
                   1);
  EXPECT_DOUBLE_EQ(got["limen_workload_sustained{namespace=shop,workload=deployment-web,}"], 0);
  EXPECT_DOUBLE_EQ(got["limen_workload_sustained_seconds{namespace=shop,workload=deployment-web,}"],
                   4);
  m.Refresh(kT0 + seconds(9));
  EXPECT_DOUBLE_EQ(
      Samples(r)["limen_workload_sustained_seconds{namespace=shop,workload=deployment-web,}"], 9);

  // Unknown criterion: the value series goes, threshold and met stay.
  Snapshot unknown = s;
  unknown.criteria[0].value.reset();
  unknown.criteria[0].met = false;
  m.Set("shop", "deployment-web", unknown, kT0);
  got = Samples(r);
  EXPECT_FALSE(got.count(
      "limen_workload_criterion_value{criterion=Startup,namespace=shop,workload=deployment-web,}"));
  EXPECT_TRUE(got.count(
      "limen_workload_criterion_met{criterion=Startup,namespace=shop,workload=deployment-web,}"));

  m.Remove("shop", "deployment-web");
  EXPECT_TRUE(Samples(r).empty());
  EXPECT_EQ(m.Size(), 0u);
}

}  // namespace
}  // namespace limen::op::iwl
