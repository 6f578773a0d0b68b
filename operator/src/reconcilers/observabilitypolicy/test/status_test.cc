#include "reconcilers/observabilitypolicy/status.h"

#include <gtest/gtest.h>

#include "builders.h"
#include "limen/api/well_known.h"

namespace limen::op::obspol {
namespace {

using testing::Owner;

const api::Time kT0 = *api::ParseTime("2026-03-01T10:00:00Z");

std::vector<api::ProbeState> Nps(const std::map<std::string, std::string>& probes) {
  return api::Decode<api::NodeProbeState>(testing::Nps("n", "2026-03-01T10:00:00Z", {}, probes))
      ->status.probes;
}

TEST(JudgeNodeTest, Table) {
  const std::vector<std::string> want = {"process.exec", "tcp.state"};
  EXPECT_EQ(JudgeNode(nullptr, want).state, NodeVerdict::State::kPending);
  auto loaded =
      Nps({{"process.exec", "Attached"}, {"tcp.state", "Attached"}, {"go.chan.block", "Failed"}});
  EXPECT_EQ(JudgeNode(&loaded, want).state, NodeVerdict::State::kLoaded);
  auto failed = Nps({{"process.exec", "Attached"}, {"tcp.state", "Failed"}});
  const NodeVerdict f = JudgeNode(&failed, want);
  EXPECT_EQ(f.state, NodeVerdict::State::kFailed);
  EXPECT_EQ(f.reason, "probe tcp.state Failed: attach failed");
  auto unsupported = Nps({{"process.exec", "Unsupported"}, {"tcp.state", "Attached"}});
  EXPECT_EQ(JudgeNode(&unsupported, want).state, NodeVerdict::State::kFailed);
  auto pending = Nps({{"process.exec", "Attached"}});
  EXPECT_EQ(JudgeNode(&pending, want).reason, "probes pending: tcp.state");
}

TEST(FormatCoverageTest, OneDecimal) {
  EXPECT_EQ(FormatCoverage(9520), "95.2%");
  EXPECT_EQ(FormatCoverage(10000), "100.0%");
  EXPECT_EQ(FormatCoverage(9199), "92.0%");
  EXPECT_EQ(FormatCoverage(0), "0.0%");
}

struct World {
  testing::Stores s;
  World() {
    s.Add(testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "dep"}));
    for (int i = 0; i < 12; ++i) {
      const std::string n = std::to_string(i);
      s.Add(testing::Pod("ns", "web-" + n, "u" + n, {{"app", "web"}},
                         Owner{"ReplicaSet", "web-1", "rs1"}, "node-" + (i < 10 ? "0" + n : n)));
      s.Add(testing::Nps("node-" + (i < 10 ? "0" + n : n), "2026-03-01T10:00:00Z",
                         {{"ns", "web-" + n, "u" + n, 1, 1, 95, 5}},
                         {{"process.exec", i < 11 ? "Failed" : "Attached"}}));
    }
    s.Add(testing::Pod("ns", "solo", "s", {{"app", "web"}}));  // not scheduled
    s.Add(testing::Pod("ns", "db", "d", {{"app", "db"}}, {}, "node-99"));
  }
};

TEST(PolicyStatusTest, CountsNodesWorkloadsAndCoverage) {
  World w;
  auto policy =
      *api::Decode<api::ObservabilityPolicy>(testing::ObsPolicy("ns", "obs", {{"app", "web"}}));
  auto selector = *api::ToSelector(policy.spec.selector);
  const PolicyObservation o = Observe(w.s.caches(), policy, selector);
  EXPECT_EQ(o.workloads.size(), 2u);  // deployment-web and pod-solo
  EXPECT_EQ(o.nodes.size(), 12u);
  api::ObservabilityPolicyStatus s = PlanStatus({}, 3, o, std::nullopt, kT0);
  EXPECT_EQ(s.observed_generation, 3);
  EXPECT_EQ(s.matched_workloads, 2);
  EXPECT_EQ(s.nodes.desired, 12);
  EXPECT_EQ(s.nodes.loaded, 1);
  EXPECT_EQ(s.nodes.failed, 11);
  ASSERT_EQ(s.nodes.failing.size(), 10u);
  EXPECT_EQ(s.nodes.failing[0].node, "node-00");
  EXPECT_EQ(s.coverage, "95.0%");
  const api::Condition* ready = api::FindStatusCondition(s.conditions, api::kConditionReady);
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, "False");
  EXPECT_EQ(ready->reason, "ProbesFailed");
  // Re-planning from what was written changes nothing.
  auto stored = api::Encode(s);
  auto decoded = *api::Decode<api::ObservabilityPolicyStatus>(stored);
  EXPECT_FALSE(
      StatusChanged(stored, PlanStatus(decoded, 3, o, std::nullopt, kT0 + std::chrono::hours(1))));
}

TEST(PolicyStatusTest, NothingSelectedAndInvalid) {
  api::ObservabilityPolicyStatus s = PlanStatus({}, 1, {}, std::nullopt, kT0);
  EXPECT_EQ(api::FindStatusCondition(s.conditions, api::kConditionReady)->reason, "NoPodsSelected");
  EXPECT_FALSE(api::Encode(s).contains("coverage"));
  s = PlanStatus(s, 2, {}, std::string("spec.selector: bad"), kT0);
  const auto* ready = api::FindStatusCondition(s.conditions, api::kConditionReady);
  EXPECT_EQ(ready->reason, "InvalidSpec");
  EXPECT_EQ(ready->message, "spec.selector: bad");
}

}  // namespace
}  // namespace limen::op::obspol
