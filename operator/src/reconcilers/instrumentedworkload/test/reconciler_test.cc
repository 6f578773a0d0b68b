// The reconciler against lib/kube's FakeClient and hand-filled stores: create once, write the
// status only when it changes, requeue at the engine's deadline, delete when unselected.
#include "reconcilers/instrumentedworkload/reconciler.h"

#include <gtest/gtest.h>

#include "builders.h"
#include "fake_client.h"
#include "reconcilers/instrumentedworkload/status.h"

namespace limen::op::iwl {
namespace {

using std::chrono::seconds;
using testing::Owner;

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest()
      : clock_(*api::ParseTime("2026-03-01T10:00:01Z")),
        events_(client_, {"limen.dev/operator", "test"}, clock_),
        metrics_(clock_),
        reconciler_(client_, s_.caches(), events_, clock_, metrics_, Options{}) {
    s_.Add(testing::Workload("Deployment", "ns", "web", "dep"));
    s_.Add(
        testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "dep"}));
    s_.Add(testing::Pod("ns", "web-1-a", "a", {{"app", "web"}}, Owner{"ReplicaSet", "web-1", "rs1"},
                        "n1"));
    s_.Add(testing::ObsPolicy("ns", "obs", {{"app", "web"}}, {"process.exec"},
                              {{"sustainFor", "10s"}}));
    s_.Add(testing::Nps("n1", "2026-03-01T10:00:00Z",
                        {{"ns", "web-1-a", "a", 8'000'000, 2'000'000, 99, 1}}));
  }
  // What the IWL informer would hold after the fake apiserver's writes.
  void SyncCache() {
    for (const auto& o : client_.Objects(resources::kInstrumentedWorkloads)) s_.Add(o);
  }

  kube::testing::FakeClient client_;
  kube::FakeClock clock_;
  testing::Stores s_;
  kube::EventRecorder events_;
  WorkloadMetrics metrics_;
  Reconciler reconciler_;
};

TEST_F(ReconcilerTest, CreatesOnceWritesStatusOnlyWhenChanged) {
  kube::Outcome first = reconciler_.Reconcile("ns/deployment-web");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto objs = client_.Objects(resources::kInstrumentedWorkloads);
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(objs[0]["metadata"]["ownerReferences"][0]["uid"], "dep");
  EXPECT_EQ(objs[0]["status"]["criteriaSummary"], "3/3");
  EXPECT_EQ(objs[0]["status"]["pods"]["instrumented"], 1);
  // Requeued exactly when the 10 s window completes (metSince 10:00:01).
  EXPECT_EQ(first.result().requeue_after, seconds(10));
  EXPECT_EQ(client_.CallCount("update"), 1);
  EXPECT_EQ(metrics_.Size(), 1u);

  SyncCache();
  clock_.Advance(seconds(2));
  kube::Outcome second = reconciler_.Reconcile("ns/deployment-web");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(client_.CallCount("update"), 1) << "an unchanged status must not be rewritten";
  EXPECT_EQ(client_.Objects(resources::kInstrumentedWorkloads).size(), 1u);
  EXPECT_EQ(second.result().requeue_after, seconds(8));

  clock_.Advance(seconds(8));
  ASSERT_TRUE(reconciler_.Reconcile("ns/deployment-web").ok());
  EXPECT_EQ(client_.CallCount("update"), 2);
  objs = client_.Objects(resources::kInstrumentedWorkloads);
  bool ready = false;
  for (const auto& c : objs[0]["status"]["conditions"]) {
    if (c["type"] == "Ready") ready = c["status"] == "True" && c["reason"] == "Sustained";
  }
  EXPECT_TRUE(ready) << objs[0]["status"].dump(2);
}

TEST_F(ReconcilerTest, DeletesWhenNoPolicySelectsAnyMore) {
  ASSERT_TRUE(reconciler_.Reconcile("ns/deployment-web").ok());
  SyncCache();
  s_.obspols.Remove("ns/obs");
  ASSERT_TRUE(reconciler_.Reconcile("ns/deployment-web").ok());
  EXPECT_TRUE(client_.Objects(resources::kInstrumentedWorkloads).empty());
  EXPECT_EQ(metrics_.Size(), 0u);
}

TEST_F(ReconcilerTest, LeavesForeignObjectsAndUnknownKeysAlone) {
  kube::Object foreign = NewInstrumentedWorkload({"ns", "Deployment", "web", "dep"});
  foreign["metadata"]["labels"] = kube::Object::object();
  s_.Add(foreign);
  ASSERT_TRUE(reconciler_.Reconcile("ns/deployment-web").ok());
  EXPECT_EQ(client_.CallCount("update"), 0);
  ASSERT_TRUE(reconciler_.Reconcile("ns/job-x").ok());
  ASSERT_TRUE(reconciler_.Reconcile("garbage").ok());
}

TEST_F(ReconcilerTest, NoWorkloadNoObject) {
  s_.deployments.Remove("ns/web");
  ASSERT_TRUE(reconciler_.Reconcile("ns/deployment-web").ok());
  EXPECT_TRUE(client_.Objects(resources::kInstrumentedWorkloads).empty());
}

TEST_F(ReconcilerTest, WriteFailureIsRetried) {
  client_.SetFault(
      [](const std::string& verb, const kube::Resource&) -> std::optional<kube::ApiError> {
        if (verb == "update")
          return kube::ApiError{409, "Conflict", "stale", nullptr, std::nullopt};
        return std::nullopt;
      });
  kube::Outcome o = reconciler_.Reconcile("ns/deployment-web");
  EXPECT_FALSE(o.ok());
  EXPECT_FALSE(o.terminal());
}

TEST(KeysTest, FanOut) {
  testing::Stores s;
  s.Add(testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "dep"}));
  s.Add(testing::Pod("ns", "web-1-a", "a", {}, Owner{"ReplicaSet", "web-1", "rs1"}, "n1"));
  s.Add(testing::Pod("ns", "solo", "b", {}, {}, "n1"));
  EXPECT_EQ(
      KeysForPod(s.caches(), PodSummary::Of(testing::Pod("ns", "web-1-a", "a", {},
                                                         Owner{"ReplicaSet", "web-1", "rs1"}))),
      std::vector<std::string>{"ns/deployment-web"});
  EXPECT_EQ(KeysForNamespace(s.caches(), "ns"),
            (std::vector<std::string>{"ns/deployment-web", "ns/pod-solo"}));
  EXPECT_EQ(KeysForNodeReport(s.caches(),
                              DecodeNodeReport(testing::Nps("n1", "2026-03-01T10:00:00Z",
                                                            {{"ns", "solo", "b", 1, 1, 1, 0},
                                                             {"ns", "gone", "c", 1, 1, 1, 0}}))),
            std::vector<std::string>{"ns/pod-solo"});
  EXPECT_EQ(KeysForReplicaSet(testing::Workload("ReplicaSet", "ns", "r", "u")),
            std::vector<std::string>{"ns/replicaset-r"});
}

}  // namespace
}  // namespace limen::op::iwl
