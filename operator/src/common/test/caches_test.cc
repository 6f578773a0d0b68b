#include "common/caches.h"

#include <gtest/gtest.h>

#include "builders.h"

namespace limen::op {
namespace {

using testing::Owner;

TEST(CachesTest, PodsOfADeploymentGoThroughItsReplicaSets) {
  testing::Stores s;
  s.Add(testing::Workload("Deployment", "ns", "web", "dep"));
  s.Add(testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "dep"}));
  s.Add(testing::Workload("ReplicaSet", "ns", "web-2", "rs2", Owner{"Deployment", "web", "dep"}));
  s.Add(testing::Pod("ns", "web-1-a", "a", {}, Owner{"ReplicaSet", "web-1", "rs1"}));
  s.Add(testing::Pod("ns", "web-2-b", "b", {}, Owner{"ReplicaSet", "web-2", "rs2"}));
  kube::Object done = testing::Pod("ns", "web-2-c", "c", {}, Owner{"ReplicaSet", "web-2", "rs2"});
  done["status"]["phase"] = "Failed";
  s.Add(done);
  s.Add(testing::Pod("ns", "other", "o", {}));
  const auto pods = PodsOf(s.caches(), {"ns", "Deployment", "web", "dep"});
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(NameOf(*pods[0]), "web-1-a");
  EXPECT_EQ(NameOf(*pods[1]), "web-2-b");
  EXPECT_EQ(PodsOf(s.caches(), {"ns", "Pod", "other", ""}).size(), 1u);
  // A pod with a controller is not a bare-pod workload.
  EXPECT_TRUE(PodsOf(s.caches(), {"ns", "Pod", "web-1-a", ""}).empty());
}

TEST(CachesTest, FindWorkloadChecksTheUid) {
  testing::Stores s;
  s.Add(testing::Workload("StatefulSet", "ns", "db", "ss"));
  EXPECT_NE(FindWorkload(s.caches(), {"ns", "StatefulSet", "db", ""}), nullptr);
  EXPECT_NE(FindWorkload(s.caches(), {"ns", "StatefulSet", "db", "ss"}), nullptr);
  EXPECT_EQ(FindWorkload(s.caches(), {"ns", "StatefulSet", "db", "old"}), nullptr);
  EXPECT_EQ(FindWorkload(s.caches(), {"ns", "DaemonSet", "db", ""}), nullptr);
}

TEST(CachesTest, PoliciesAreValidOnesSortedByName) {
  testing::Stores s;
  s.Add(testing::ObsPolicy("ns", "b", {{"app", "web"}}));
  s.Add(testing::ObsPolicy("ns", "a", {{"app", "web"}}));
  kube::Object bad = testing::ObsPolicy("ns", "c", {});
  bad["spec"]["selector"]["matchExpressions"] = {{{"key", "x"}, {"operator", "Bogus"}}};
  s.Add(bad);
  s.Add(testing::ObsPolicy("other", "z", {}));
  const auto ps = ObservabilityPoliciesIn(s.caches(), "ns");
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].policy.metadata.name, "a");
  EXPECT_EQ(ps[1].policy.metadata.name, "b");
}

TEST(CachesTest, ReachCountsWorkloadsAndPodsInjectedWithTheCurrentHash) {
  testing::Stores s;
  s.Add(testing::Workload("Deployment", "ns", "web", "dep"));
  s.Add(testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "dep"}));
  const Owner rs{"ReplicaSet", "web-1", "rs1"};
  const std::map<std::string, std::string> web = {{"app", "web"}};
  s.Add(testing::Pod("ns", "web-a", "a", web, rs, "", {{"limen.dev/injected", "res@h2"}}));
  s.Add(testing::Pod("ns", "web-b", "b", web, rs, "", {{"limen.dev/injected", "res@h1"}}));
  s.Add(testing::Pod("ns", "web-c", "c", web, rs, "", {{"limen.dev/injected", "other@h2"}}));
  s.Add(testing::Pod("ns", "bare", "d", web, {}, "", {{"limen.dev/injected", "x@1, res@h2"}}));
  kube::Object done =
      testing::Pod("ns", "web-e", "e", web, rs, "", {{"limen.dev/injected", "res@h2"}});
  done["status"]["phase"] = "Succeeded";
  s.Add(done);
  s.Add(testing::Pod("ns", "db", "f", {{"app", "db"}}, {}, "", {{"limen.dev/injected", "res@h2"}}));
  s.Add(testing::Pod("other", "web-z", "z", web, {}, "", {{"limen.dev/injected", "res@h2"}}));
  auto selector = api::ParseSelector("app=web");
  ASSERT_TRUE(selector.ok()) << selector.status().ToString();
  // Deployment web (through its ReplicaSet) and the bare Pod; a finished Pod, another
  // label and another namespace do not count.
  EXPECT_EQ(ReachOf(s.caches(), "ns", *selector, "res", "h2"), (PolicyReach{2, 2}));
  EXPECT_EQ(ReachOf(s.caches(), "ns", *selector, "res", "h1"), (PolicyReach{2, 1}));
  EXPECT_EQ(ReachOf(s.caches(), "ns", *selector, "res", ""), (PolicyReach{2, 0}));
  EXPECT_EQ(ReachOf(s.caches(), "empty", *selector, "res", "h2"), (PolicyReach{0, 0}));
}

TEST(CachesTest, ReportForReadsThePodsOwnNode) {
  testing::Stores s;
  s.Add(
      testing::Nps("n1", "2026-01-01T00:00:00Z", {{"ns", "p", "u1", 8'000'000, 2'000'000, 95, 5}}));
  s.Add(testing::Nps("n2", "2026-01-01T00:00:00Z", {{"ns", "q", "u2", 1, 1, 1, 0}}));
  const kube::Object on_n1 = testing::Pod("ns", "p", "u1", {}, {}, "n1");
  auto r = ReportFor(s.caches(), on_n1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->measurement.startup_nanos, 8'000'000);
  EXPECT_EQ(r->measurement.events.dropped, 5);
  ASSERT_TRUE(r->reported_at);
  // Reported by another node than the one the pod runs on: not its node's report.
  EXPECT_FALSE(ReportFor(s.caches(), testing::Pod("ns", "q", "u2", {}, {}, "n1")));
  // Not scheduled: no node, no report.
  EXPECT_FALSE(ReportFor(s.caches(), testing::Pod("ns", "p", "u1", {})));
}

}  // namespace
}  // namespace limen::op
