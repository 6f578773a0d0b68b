#include "reconcilers/instrumentedworkload/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "limen/api/well_known.h"

namespace limen::op::iwl {
namespace {

using std::chrono::seconds;

const api::Time kT0 = *api::ParseTime("2026-03-01T10:00:00Z");

// name{labels} → value of every sample line of the text exposition.
std::map<std::string, double> Samples(const WorkloadMetrics& m) {
  std::string text;
  m.AppendText(text);
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
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

constexpr char kMemoryValue[] =
    "limen_workload_criterion_value{namespace=\"shop\",workload=\"deployment-web\","
    "criterion=\"Memory\"}";
constexpr char kSustainedSeconds[] =
    "limen_workload_sustained_seconds{namespace=\"shop\",workload=\"deployment-web\"}";

TEST(WorkloadMetricsTest, SeriesLabelsSustainedSecondsFromTheClockAndRemoval) {
  kube::FakeClock clock(kT0 + seconds(4));
  WorkloadMetrics m(clock);
  const Snapshot s =
      MakeSnapshot(Eval(kT0), {std::chrono::milliseconds(12), 3'200'000, 92, 2, seconds(10)},
                   {{"a", 8'000'000, 2'900'000, 952, 48, kT0}});
  m.Set("shop", "deployment-web", s);
  auto got = Samples(m);
  EXPECT_EQ(got.size(), 11u);
  EXPECT_DOUBLE_EQ(got[kMemoryValue], 2'900'000);
  EXPECT_DOUBLE_EQ(
      got["limen_workload_criterion_threshold{namespace=\"shop\",workload=\"deployment-"
          "web\",criterion=\"Coverage\"}"],
      0.92);
  EXPECT_DOUBLE_EQ(
      got["limen_workload_criterion_met{namespace=\"shop\",workload=\"deployment-web\","
          "criterion=\"Startup\"}"],
      1);
  EXPECT_DOUBLE_EQ(got["limen_workload_sustained{namespace=\"shop\",workload=\"deployment-web\"}"],
                   0);
  EXPECT_DOUBLE_EQ(got[kSustainedSeconds], 4);
  clock.Advance(seconds(5));
  EXPECT_DOUBLE_EQ(Samples(m)[kSustainedSeconds], 9) << "moves with the clock between Sets";

  // Unknown criterion: the value series goes, threshold and met stay.
  Snapshot unknown = s;
  unknown.criteria[1].value.reset();
  unknown.criteria[1].met = false;
  m.Set("shop", "deployment-web", unknown);
  got = Samples(m);
  EXPECT_FALSE(got.count(kMemoryValue));
  EXPECT_TRUE(
      got.count("limen_workload_criterion_met{namespace=\"shop\",workload=\"deployment-"
                "web\",criterion=\"Memory\"}"));
  EXPECT_EQ(got.size(), 10u);

  m.Remove("shop", "deployment-web");
  EXPECT_TRUE(Samples(m).empty());
  EXPECT_EQ(m.Size(), 0u);
}

TEST(WorkloadMetricsTest, EachFamilyOnceWithItsSeriesTogetherSortedByWorkload) {
  kube::FakeClock clock(kT0);
  WorkloadMetrics m(clock);
  const Snapshot s =
      MakeSnapshot(Eval(kT0), {std::chrono::milliseconds(12), 3'200'000, 92, 2, seconds(10)},
                   {{"a", 8'000'000, 2'900'000, 952, 48, kT0}});
  m.Set("shop", "statefulset-db", s);
  m.Set("bank", "deployment-api", s);
  m.Set("shop", "deployment-web", s);
  std::string text;
  m.AppendText(text);
  std::vector<std::string> families;
  std::vector<std::string> order;  // the workloads of limen_workload_sustained, in order
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# TYPE ")) families.push_back(line.substr(7));
    if (line.starts_with("limen_workload_sustained{"))
      order.push_back(line.substr(0, line.find('}')));
  }
  EXPECT_EQ(families,
            (std::vector<std::string>{
                "limen_workload_criterion_value gauge", "limen_workload_criterion_threshold gauge",
                "limen_workload_criterion_met gauge", "limen_workload_sustained gauge",
                "limen_workload_sustained_seconds gauge"}));
  EXPECT_EQ(order, (std::vector<std::string>{
                       "limen_workload_sustained{namespace=\"bank\",workload=\"deployment-api\"",
                       "limen_workload_sustained{namespace=\"shop\",workload=\"deployment-web\"",
                       "limen_workload_sustained{namespace=\"shop\",workload=\"statefulset-db\""}));

  // Every criterion Unknown: no value family at all, rather than a header with no samples.
  Snapshot unknown = s;
  for (auto& c : unknown.criteria) c.value.reset();
  WorkloadMetrics only_unknown(clock);
  only_unknown.Set("shop", "deployment-web", unknown);
  text.clear();
  only_unknown.AppendText(text);
  EXPECT_EQ(text.find("limen_workload_criterion_value"), std::string::npos) << text;

  WorkloadMetrics none(clock);
  text.clear();
  none.AppendText(text);
  EXPECT_EQ(text, "");
}

}  // namespace
}  // namespace limen::op::iwl
