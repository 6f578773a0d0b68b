#include "common/caches.h"

#include <atomic>
#include <thread>

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
  EXPECT_EQ(pods[0]->name(), "web-1-a");
  EXPECT_EQ(pods[1]->name(), "web-2-b");
  EXPECT_EQ(PodsOf(s.caches(), {"ns", "Pod", "other", ""}).size(), 1u);
  // A pod with a controller is not a bare-pod workload.
  EXPECT_TRUE(PodsOf(s.caches(), {"ns", "Pod", "web-1-a", ""}).empty());
}

TEST(CachesTest, FindWorkloadChecksTheUid) {
  testing::Stores s;
  s.Add(testing::Workload("StatefulSet", "ns", "db", "ss"));
  auto found = FindWorkload(s.caches(), {"ns", "StatefulSet", "db", ""});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->uid, "ss");
  EXPECT_FALSE(found->being_deleted);
  EXPECT_TRUE(FindWorkload(s.caches(), {"ns", "StatefulSet", "db", "ss"}));
  EXPECT_FALSE(FindWorkload(s.caches(), {"ns", "StatefulSet", "db", "old"}));
  EXPECT_FALSE(FindWorkload(s.caches(), {"ns", "DaemonSet", "db", ""}));
  EXPECT_FALSE(FindWorkload(s.caches(), {"ns", "Job", "db", ""}));
}

TEST(CachesTest, FindWorkloadReadsBarePodsFromThePodIndex) {
  testing::Stores s;
  kube::Object pod = testing::Pod("ns", "solo", "p1", {}, {}, "n1");
  s.Add(pod);
  auto found = FindWorkload(s.caches(), {"ns", "Pod", "solo", ""});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->uid, "p1");
  EXPECT_FALSE(found->being_deleted);
  EXPECT_FALSE(FindWorkload(s.caches(), {"ns", "Pod", "solo", "p0"})) << "an earlier Pod's uid";
  pod["metadata"]["deletionTimestamp"] = "2026-03-01T10:00:00Z";
  s.Add(pod);
  found = FindWorkload(s.caches(), {"ns", "Pod", "solo", "p1"});
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->being_deleted);
  s.Remove("Pod", "ns/solo");
  EXPECT_FALSE(FindWorkload(s.caches(), {"ns", "Pod", "solo", ""}));
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
  const PodSummary on_n1 = PodSummary::Of(testing::Pod("ns", "p", "u1", {}, {}, "n1"));
  auto r = ReportFor(s.caches(), on_n1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->measurement.startup_nanos, 8'000'000);
  EXPECT_EQ(r->measurement.dropped, 5);
  ASSERT_TRUE(r->reported_at);
  // Reported by another node than the one the pod runs on: not its node's report.
  EXPECT_FALSE(ReportFor(s.caches(), PodSummary::Of(testing::Pod("ns", "q", "u2", {}, {}, "n1"))));
  // Not scheduled: no node, no report.
  EXPECT_FALSE(ReportFor(s.caches(), PodSummary::Of(testing::Pod("ns", "p", "u1", {}))));
}

// The decoded reports follow the informer's events: what a reader sees is the last
// NodeProbeState delivered, through updates, deletes and re-creations, with one Caches kept
// throughout.
TEST(NodeReportsTest, FollowsUpdatesAndDeletesOfTheStore) {
  testing::Stores s;
  const Caches c = s.caches();
  const PodSummary p1 = PodSummary::Of(testing::Pod("ns", "p1", "u1", {}, {}, "n1"));
  const PodSummary p2 = PodSummary::Of(testing::Pod("ns", "p2", "u2", {}, {}, "n1"));
  s.Add(testing::Nps("n1", "2026-01-01T00:00:00Z", {{"ns", "p1", "u1", 10, 20, 30, 40}}));
  ASSERT_TRUE(ReportFor(c, p1));
  EXPECT_EQ(ReportFor(c, p1)->measurement.rss_bytes, 20);
  EXPECT_FALSE(ReportFor(c, p2));
  const auto first = c.node_reports->Get("n1");
  EXPECT_EQ(first, c.node_reports->Get("n1")) << "decoded once per version";

  // Updated: p1's values change, p2 appears, reportedAt moves.
  s.Add(testing::Nps("n1", "2026-01-01T00:01:00Z",
                     {{"ns", "p1", "u1", 11, 21, 31, 41}, {"ns", "p2", "u2", 1, 2, 3, 4}}));
  EXPECT_NE(first, c.node_reports->Get("n1"));
  auto r1 = ReportFor(c, p1);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->measurement.startup_nanos, 11);
  EXPECT_EQ(r1->measurement.delivered, 31);
  EXPECT_EQ(r1->reported_at, api::ParseTime("2026-01-01T00:01:00Z").value());
  ASSERT_TRUE(ReportFor(c, p2));
  EXPECT_EQ(ReportFor(c, p2)->measurement.dropped, 4);

  // Updated again without p1: p1 loses its report.
  s.Add(testing::Nps("n1", "2026-01-01T00:02:00Z", {{"ns", "p2", "u2", 1, 2, 3, 4}}));
  EXPECT_FALSE(ReportFor(c, p1));
  EXPECT_TRUE(ReportFor(c, p2));

  // Deleted: nothing, and the entry is dropped.
  s.Remove("NodeProbeState", "n1");
  EXPECT_FALSE(ReportFor(c, p2));
  EXPECT_EQ(c.node_reports->Size(), 0u);

  // Re-created.
  s.Add(testing::Nps("n1", "2026-01-01T00:03:00Z", {{"ns", "p1", "u1", 5, 6, 7, 8}}));
  ASSERT_TRUE(ReportFor(c, p1));
  EXPECT_EQ(ReportFor(c, p1)->measurement.rss_bytes, 6);
  s.node_reports->Forget("n1");
  EXPECT_EQ(c.node_reports->Size(), 0u);
  EXPECT_FALSE(ReportFor(c, p1)) << "a forgotten node has no report until its next event";
}

// Upsert and Forget say what they did, so that the handler can enqueue the workloads of the Pods
// the node reported before as well as now (the informer's store no longer has the old
// status.pods), and skip events that change nothing the operator reads.
TEST(NodeReportsTest, PutAndForgetReportTheChange) {
  NodeReports reports;
  const auto v1 = testing::Nps("n1", "2026-01-01T00:00:00Z", {{"ns", "p1", "u1", 1, 2, 3, 4}});
  NodeReportChange first = reports.Upsert(v1);
  EXPECT_EQ(first.before, nullptr);
  ASSERT_NE(first.after, nullptr);
  EXPECT_TRUE(first.Changed());
  EXPECT_EQ(first.after, reports.Get("n1"));

  kube::Object same = v1;
  same["metadata"]["resourceVersion"] = "99";  // nothing the operator reads changed
  same["status"]["kernel"] = {{"release", "6.1"}};
  NodeReportChange resync = reports.Upsert(same);
  EXPECT_EQ(resync.before, first.after);
  EXPECT_FALSE(resync.Changed());

  NodeReportChange moved =
      reports.Upsert(testing::Nps("n1", "2026-01-01T00:00:00Z", {{"ns", "p2", "u2", 1, 2, 3, 4}}));
  EXPECT_TRUE(moved.Changed());
  ASSERT_NE(moved.before, nullptr);
  EXPECT_TRUE(moved.before->pods.contains("u1")) << "the Pods reported before";
  EXPECT_TRUE(moved.after->pods.contains("u2"));

  NodeReportChange gone = reports.Forget("n1");
  EXPECT_EQ(gone.before, moved.after);
  EXPECT_EQ(gone.after, nullptr);
  EXPECT_TRUE(gone.Changed());
  EXPECT_FALSE(reports.Forget("n1").Changed()) << "nothing to forget twice";
}

TEST(NodeReportsTest, DecodesAsASearchInListOrderWould) {
  kube::Object nps = testing::Nps("n1", "2026-01-01T00:00:00Z",
                                  {{"ns", "a", "u1", 1, 1, 1, 1},
                                   {"ns", "a2", "u1", 2, 2, 2, 2},
                                   {"ns", "b", "u2", 1, 1, 1, 1},
                                   {"ns", "b2", "u2", 2, 2, 2, 2}},
                                  {{"process.exec", "Attached"}});
  nps["status"]["pods"][2]["rssBytes"] = "many";  // the first entry of u2 does not decode
  nps["status"]["pods"].push_back({{"name", "no-uid"}});
  const NodeReport r = DecodeNodeReport(nps);
  ASSERT_TRUE(r.pods.contains("u1"));
  ASSERT_TRUE(r.pods.at("u1"));
  EXPECT_EQ(r.pods.at("u1")->startup_nanos, 1) << "the first entry of a uid wins";
  ASSERT_TRUE(r.pods.contains("u2"));
  EXPECT_FALSE(r.pods.at("u2")) << "and a first entry that does not decode hides later ones";
  EXPECT_FALSE(r.pods.contains(""));
  EXPECT_TRUE(r.reported_at);
  // One bad entry fails the whole NodeProbeState's decode: no probes.
  EXPECT_FALSE(r.probes);
  nps["status"]["pods"][2]["rssBytes"] = 3;
  const NodeReport ok = DecodeNodeReport(nps);
  ASSERT_TRUE(ok.probes);
  ASSERT_EQ(ok.probes->size(), 1u);
  EXPECT_EQ((*ok.probes)[0].state, "Attached");
  EXPECT_TRUE(ok.pods.at("u2"));

  nps["status"]["reportedAt"] = "not a time";
  EXPECT_FALSE(DecodeNodeReport(nps).reported_at);
  EXPECT_TRUE(DecodeNodeReport(kube::Object{{"status", "x"}}).pods.empty());
}

// Concurrent readers while the writer replaces the object: each read is one whole version.
TEST(NodeReportsTest, ConcurrentReadersSeeWholeVersions) {
  testing::Stores s;
  const Caches c = s.caches();
  const PodSummary pod = PodSummary::Of(testing::Pod("ns", "p", "u1", {}, {}, "n1"));
  s.Add(testing::Nps("n1", "2026-01-01T00:00:00Z", {{"ns", "p", "u1", 0, 0, 0, 0}}));
  std::atomic<bool> stop = false;
  std::atomic<int> torn = 0;
  std::vector<std::thread> readers;
  readers.reserve(3);
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        auto r = ReportFor(c, pod);
        if (!r || r->measurement.startup_nanos != r->measurement.rss_bytes) ++torn;
      }
    });
  }
  for (int64_t v = 1; v <= 200; ++v) {
    s.Add(testing::Nps("n1", "2026-01-01T00:00:00Z", {{"ns", "p", "u1", v, v, 0, 0}}));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(ReportFor(c, pod)->measurement.startup_nanos, 200);
}

}  // namespace
}  // namespace limen::op
