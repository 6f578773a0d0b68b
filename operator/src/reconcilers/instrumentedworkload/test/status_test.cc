#include "reconcilers/instrumentedworkload/status.h"

#include <gtest/gtest.h>

#include "builders.h"
#include "limen/api/well_known.h"

namespace limen::op::iwl {
namespace {

using std::chrono::seconds;
using testing::Owner;

const api::Time kT0 = *api::ParseTime("2026-03-01T10:00:00Z");

// ns/web: a Deployment with two pods on n1, selected by obs (and res when asked).
struct World {
  testing::Stores s;
  WorkloadId id{"ns", "Deployment", "web", "dep"};
  World() {
    s.Add(testing::Workload("Deployment", "ns", "web", "dep"));
    s.Add(testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "dep"}));
    s.Add(testing::Pod("ns", "web-1-a", "a", {{"app", "web"}}, Owner{"ReplicaSet", "web-1", "rs1"},
                       "n1", {{"limen.dev/injected", "res@h2"}}));
    s.Add(testing::Pod("ns", "web-1-b", "b", {{"app", "web"}}, Owner{"ReplicaSet", "web-1", "rs1"},
                       "n1", {{"limen.dev/injected", "res@h1"}}));
  }
  void Report(const std::string& at, int64_t rss = 2'000'000) {
    s.Add(testing::Nps("n1", at,
                       {{"ns", "web-1-a", "a", 8'000'000, rss, 980, 20},
                        {"ns", "web-1-b", "b", 9'000'000, rss, 990, 10}}));
  }
  WorkloadObservation Observe() { return iwl::Observe(s.caches(), id, PodsOf(s.caches(), id)); }
};

TEST(NewInstrumentedWorkloadTest, OwnedByTheWorkload) {
  const kube::Object o = NewInstrumentedWorkload({"ns", "Deployment", "Web", "dep"});
  EXPECT_EQ(o["metadata"]["name"], "deployment-web");
  EXPECT_EQ(o["metadata"]["labels"]["app.kubernetes.io/managed-by"], "limen");
  const auto& ref = o["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["apiVersion"], "apps/v1");
  EXPECT_EQ(ref["kind"], "Deployment");
  EXPECT_EQ(ref["uid"], "dep");
  EXPECT_EQ(ref["controller"], true);
  EXPECT_EQ(ref["blockOwnerDeletion"], true);
  EXPECT_EQ(o["spec"]["workloadRef"]["name"], "Web");
  EXPECT_EQ(NewInstrumentedWorkload({"ns", "Pod", "p", "u"})["spec"]["workloadRef"]["apiVersion"],
            "v1");
}

TEST(ObserveTest, PoliciesAndPodCounts) {
  World w;
  w.s.Add(testing::ObsPolicy("ns", "obs", {{"app", "web"}}));
  w.s.Add(testing::ObsPolicy("ns", "unrelated", {{"app", "db"}}));
  WorkloadObservation o = w.Observe();
  ASSERT_EQ(o.policies.size(), 1u);
  EXPECT_EQ(o.policies[0].kind, "ObservabilityPolicy");
  EXPECT_EQ(o.pods.total, 2);
  EXPECT_EQ(o.pods.injected, 2);  // no ResiliencePolicy: the annotation alone counts
  EXPECT_EQ(o.pods.instrumented, 0);
  ASSERT_TRUE(o.thresholds);
  EXPECT_EQ(o.thresholds->required_criteria, 2);

  w.s.Add(testing::ResPolicy("ns", "res", {{"app", "web"}}, "h2"));
  w.Report("2026-03-01T10:00:00Z");
  o = w.Observe();
  ASSERT_EQ(o.policies.size(), 2u);
  EXPECT_EQ(o.policies[1].kind, "ResiliencePolicy");
  EXPECT_EQ(o.pods.injected, 1);  // only the pod with the current hash
  EXPECT_EQ(o.pods.instrumented, 2);
  EXPECT_EQ(o.samples.size(), 2u);
}

TEST(ObserveTest, OnlyResiliencePolicyMeansNoThresholds) {
  World w;
  w.s.Add(testing::ResPolicy("ns", "res", {{"app", "web"}}, "h2"));
  WorkloadObservation o = w.Observe();
  EXPECT_TRUE(o.Selected());
  EXPECT_FALSE(o.thresholds);
}

TEST(PlanStatusTest, ReEvaluatingUnchangedDataChangesNothing) {
  World w;
  w.s.Add(
      testing::ObsPolicy("ns", "obs", {{"app", "web"}}, {"process.exec"}, {{"sustainFor", "10s"}}));
  w.Report("2026-03-01T10:00:00Z");
  const WorkloadObservation o = w.Observe();
  StatusPlan first = PlanStatus({}, 1, o, kT0 + seconds(1), seconds(15));
  ASSERT_TRUE(first.evaluation);
  EXPECT_EQ(first.status.criteria_met, 3);
  EXPECT_EQ(first.status.pods.instrumented, 2);
  // sampledAt is the report's time, not now.
  EXPECT_EQ(api::FormatTime(*first.status.measurements.sampled_at), "2026-03-01T10:00:00Z");
  const kube::Object stored = api::Encode(first.status);
  auto decoded = api::Decode<api::InstrumentedWorkloadStatus>(stored);
  ASSERT_TRUE(decoded.ok());
  StatusPlan again = PlanStatus(*decoded, 1, o, kT0 + seconds(3), seconds(15));
  EXPECT_FALSE(StatusChanged(stored, again.status)) << api::Encode(again.status).dump(2);
  EXPECT_TRUE(again.evaluation->transitions.empty());
  ASSERT_TRUE(again.evaluation->requeue_after);
  // The window (10 s from metSince 10:00:01) completes at 10:00:11: requeue exactly then.
  EXPECT_EQ(*again.evaluation->requeue_after, seconds(8));
}

TEST(PlanStatusTest, SustainedAfterTheWindowThenResetWhenACriterionBreaks) {
  World w;
  w.s.Add(testing::ObsPolicy("ns", "obs", {{"app", "web"}}, {"process.exec"},
                             {{"sustainFor", "10s"}, {"requiredCriteria", 2}}));
  w.Report("2026-03-01T10:00:00Z");
  StatusPlan p = PlanStatus({}, 1, w.Observe(), kT0, seconds(15));
  w.Report("2026-03-01T10:00:10Z");
  p = PlanStatus(p.status, 1, w.Observe(), kT0 + seconds(10), seconds(15));
  EXPECT_TRUE(p.evaluation->sustained);
  EXPECT_TRUE(api::IsStatusConditionTrue(p.status.conditions, api::kConditionReady));
  // Memory breaks: two criteria still hold since 10:00:00, so still sustained.
  w.Report("2026-03-01T10:00:12Z", 9'000'000);
  p = PlanStatus(p.status, 1, w.Observe(), kT0 + seconds(12), seconds(15));
  EXPECT_TRUE(p.evaluation->sustained);
  for (const auto& c : p.status.criteria) {
    if (c.name == "Memory") {
      EXPECT_EQ(c.met, "False");
      EXPECT_FALSE(c.met_since);
    }
  }
}

TEST(PlanStatusTest, NoThresholdsClearsReadinessWithoutEmptyStrings) {
  World w;
  w.s.Add(testing::ObsPolicy("ns", "obs", {{"app", "web"}}));
  w.Report("2026-03-01T10:00:00Z");
  StatusPlan measured = PlanStatus({}, 1, w.Observe(), kT0, seconds(15));
  const kube::Object stored = api::Encode(measured.status);
  auto decoded = api::Decode<api::InstrumentedWorkloadStatus>(stored);
  ASSERT_TRUE(decoded.ok());
  WorkloadObservation only_res;
  only_res.policies = {{"ResiliencePolicy", "res", nullptr}};
  only_res.pods.total = 2;
  StatusPlan cleared = PlanStatus(*decoded, 2, only_res, kT0, seconds(15));
  const kube::Object out = api::Encode(cleared.status);
  EXPECT_FALSE(out.contains("measurements")) << out.dump();
  EXPECT_FALSE(out.contains("criteriaSummary")) << out.dump();
  EXPECT_FALSE(api::FindStatusCondition(cleared.status.conditions, api::kConditionReady));
  EXPECT_EQ(out["observedGeneration"], 2);
}

TEST(PlanStatusTest, KeepsUnknownStatusFields) {
  api::InstrumentedWorkloadStatus current;
  current.source = {{"futureField", 1}};
  WorkloadObservation o;
  o.policies = {{"ResiliencePolicy", "res", nullptr}};
  StatusPlan p = PlanStatus(current, 1, o, kT0, seconds(15));
  EXPECT_EQ(api::Encode(p.status)["futureField"], 1);
}

TEST(TransitionEventTest, Table) {
  struct Case {
    readiness::Transition t;
    kube::EventType type;
    std::string reason;
  } cases[] = {
      {{"Startup", "", "True", "WithinThreshold", "Startup holds"},
       kube::EventType::kNormal,
       "StartupMet"},
      {{"Memory", "True", "False", "AboveThreshold", "m"},
       kube::EventType::kWarning,
       "MemoryNotMet"},
      {{"Coverage", "True", "Unknown", "StaleData", "m"},
       kube::EventType::kWarning,
       "CoverageUnknown"},
      {{"ThresholdsMet", "False", "True", "ThresholdsMet", "m"},
       kube::EventType::kNormal,
       "ThresholdsMet"},
      {{"ThresholdsMet", "True", "False", "ThresholdsNotMet", "m"},
       kube::EventType::kWarning,
       "ThresholdsNotMet"},
      {{"Ready", "False", "True", "Sustained", "m"}, kube::EventType::kNormal, "Sustained"},
      {{"Ready", "True", "False", "Sustaining", "m"}, kube::EventType::kWarning, "NotSustained"},
  };
  for (const auto& c : cases) {
    const EventSpec e = TransitionEvent(c.t);
    EXPECT_EQ(e.type, c.type) << c.reason;
    EXPECT_EQ(e.reason, c.reason);
    EXPECT_FALSE(e.note.empty());
  }
}

}  // namespace
}  // namespace limen::op::iwl
