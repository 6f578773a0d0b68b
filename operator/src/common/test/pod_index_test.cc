#include "common/pod_index.h"

#include <gtest/gtest.h>

#include "builders.h"
#include "common/transform.h"

namespace limen::op {
namespace {

using testing::Owner;

kube::Object Projected(kube::Object pod) { return ProjectPod(std::move(pod)); }

TEST(PodSummaryTest, KeepsWhatTheScansRead) {
  kube::Object pod =
      Projected(testing::Pod("ns", "web-1-a", "uid-a", {{"app", "web"}, {"tier", "front"}},
                             Owner{"ReplicaSet", "web-1", "rs1"}, "node-7",
                             {{"limen.dev/injected", "p@h1"}, {"other", "x"}}));
  pod["metadata"]["labels"]["count"] = 3;  // not a string: not a label LabelsOf reports
  const PodSummary s = PodSummary::Of(pod);
  EXPECT_EQ(s.ns(), "ns");
  EXPECT_EQ(s.name(), "web-1-a");
  EXPECT_EQ(s.uid(), "uid-a");
  EXPECT_EQ(s.node(), "node-7");
  EXPECT_EQ(s.injected(), "p@h1");
  EXPECT_TRUE(s.active());
  ASSERT_TRUE(s.has_controller());
  EXPECT_EQ(s.controller_api_version(), "apps/v1");
  EXPECT_EQ(s.controller_kind(), "ReplicaSet");
  EXPECT_EQ(s.controller_name(), "web-1");
  EXPECT_EQ(s.controller_uid(), "rs1");
  EXPECT_EQ(s.Labels(), LabelsOf(pod));
  EXPECT_EQ(s.Labels(), (api::Labels{{"app", "web"}, {"tier", "front"}}));
}

// Label keys, the namespace, the node, the injected annotation and the owner's apiVersion and
// kind are shared between summaries when short enough; longer ones (and anything once the
// shared table is full) are kept inline. Either way every field reads back as it was, and
// equal Pods give equal summaries.
TEST(PodSummaryTest, SharedAndInlineStringsReadBackTheSame) {
  const std::string long_key = "example.com/" + std::string(150, 'k');
  const std::string long_ns(120, 'n');
  const std::string long_node(100, 'd');
  const std::string long_injected = std::string(200, 'p') + "@7c1e9a3f";
  kube::Object pod = testing::Pod(long_ns, "p", "u", {{"app", "web"}, {long_key, "v"}},
                                  Owner{"ReplicaSet", "rs", "r"}, long_node,
                                  {{"limen.dev/injected", long_injected}});
  const PodSummary s = PodSummary::Of(pod);
  EXPECT_EQ(s.ns(), long_ns);
  EXPECT_EQ(s.node(), long_node);
  EXPECT_EQ(s.injected(), long_injected);
  const PodSummary shared = PodSummary::Of(
      testing::Pod("ns", "q", "u2", {}, {}, "node-1", {{"limen.dev/injected", "policy@7c1e9a3f"}}));
  EXPECT_EQ(shared.node(), "node-1");
  EXPECT_EQ(shared.injected(), "policy@7c1e9a3f");
  EXPECT_EQ(s.controller_api_version(), "apps/v1");
  EXPECT_EQ(s.controller_kind(), "ReplicaSet");
  EXPECT_EQ(s.Labels(), (api::Labels{{"app", "web"}, {long_key, "v"}}));
  EXPECT_EQ(s.Labels(), LabelsOf(pod));
  EXPECT_TRUE(PodSummary::Of(pod) == s);
  pod["metadata"]["labels"]["app"] = "api";
  EXPECT_FALSE(PodSummary::Of(pod) == s);
  // Empty strings in shareable positions (no namespace, no owner).
  const PodSummary bare = PodSummary::Of(kube::Object{{"metadata", {{"labels", {{"", "x"}}}}}});
  EXPECT_EQ(bare.ns(), "");
  EXPECT_EQ(bare.controller_kind(), "");
  EXPECT_EQ(bare.Labels(), (api::Labels{{"", "x"}}));
}

// The shared table is bounded: a stream of distinct label keys (5,000 here, beyond its 4,096)
// fills it, and every key after that is kept inline — each still reads back as it was.
TEST(PodSummaryTest, DistinctLabelKeysBeyondTheSharedTableStayInline) {
  std::vector<PodSummary> summaries;
  summaries.reserve(5000);
  for (int i = 0; i < 5000; ++i) {
    summaries.push_back(PodSummary::Of(
        testing::Pod("ns", "p", "u", {{"bound.example.com/key-" + std::to_string(i), "v"}})));
  }
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(summaries[i].Labels(),
              (api::Labels{{"bound.example.com/key-" + std::to_string(i), "v"}}))
        << i;
  }
}

// Offsets are 16-bit while a summary's bytes fit, 32-bit beyond: a Pod whose labels hold more
// than 64 KiB (the apiserver allows ≈ 1.5 MB objects) reads back whole.
TEST(PodSummaryTest, SummariesBeyond64KiBReadBackWhole) {
  api::Labels labels;
  for (int i = 0; i < 40; ++i) {
    labels["k" + std::to_string(i)] = std::string(2000, static_cast<char>('a' + i % 26));
  }
  const kube::Object pod = testing::Pod("ns", "big", "u", labels, Owner{"ReplicaSet", "rs", "r"});
  const PodSummary s = PodSummary::Of(pod);
  EXPECT_EQ(s.Labels(), labels);
  EXPECT_EQ(s.name(), "big");
  EXPECT_EQ(s.controller_uid(), "r");
  EXPECT_TRUE(PodSummary::Of(pod) == s);
}

TEST(PodSummaryTest, ActiveAsIsActivePod) {
  kube::Object pod = testing::Pod("ns", "p", "u", {});
  for (const char* phase : {"Pending", "Running", "Succeeded", "Failed", "Unknown"}) {
    pod["status"]["phase"] = phase;
    EXPECT_EQ(PodSummary::Of(pod).active(), IsActivePod(pod)) << phase;
  }
  pod["status"]["phase"] = "Running";
  EXPECT_FALSE(PodSummary::Of(pod).being_deleted());
  pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(PodSummary::Of(pod).active());
  EXPECT_TRUE(PodSummary::Of(pod).being_deleted());
  pod["metadata"]["deletionTimestamp"] = nullptr;
  EXPECT_FALSE(PodSummary::Of(pod).being_deleted());
}

TEST(PodSummaryTest, EmptyAndMalformedObjects) {
  const PodSummary empty = PodSummary::Of(kube::Object::object());
  EXPECT_EQ(empty.ns(), "");
  EXPECT_EQ(empty.name(), "");
  EXPECT_FALSE(empty.has_controller());
  EXPECT_TRUE(empty.Labels().empty());
  const PodSummary odd = PodSummary::Of(
      kube::Object{{"metadata", {{"labels", "x"}, {"ownerReferences", "y"}, {"name", 3}}}});
  EXPECT_EQ(odd.name(), "");
  EXPECT_FALSE(odd.has_controller());
  EXPECT_TRUE(odd.Labels().empty());
  // An ownerReference without controller: true is no controller.
  kube::Object pod = testing::Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "rs", "r"});
  pod["metadata"]["ownerReferences"][0]["controller"] = false;
  EXPECT_FALSE(PodSummary::Of(pod).has_controller());
}

// ResolveOwnerOf on a summary answers as ResolveOwner on the object, for every owner shape.
// The ReplicaSet summaries as ReplicaSetIndex keeps them.
ReplicaSetLookup Summaries(const std::vector<kube::Object>& replicasets) {
  return [replicasets](const std::string& key) -> std::optional<ReplicaSetSummary> {
    for (const auto& rs : replicasets) {
      if (kube::ObjectKey(rs) == key) {
        return ReplicaSetSummary{rs["metadata"]["uid"].get<std::string>(), ResolveReplicaSet(rs)};
      }
    }
    return std::nullopt;
  };
}

TEST(ResolveOwnerOfTest, TableOfOwners) {
  const ReplicaSetLookup lookup =
      Summaries({testing::Workload("ReplicaSet", "ns", "web-5d8", "rs-uid",
                                   Owner{"Deployment", "web", "dep-uid"}),
                 testing::Workload("ReplicaSet", "ns", "solo-rs", "brs-uid")});
  kube::Object job = testing::Pod("ns", "j", "u", {}, Owner{"Job", "j", "job-uid"});
  job["metadata"]["ownerReferences"][0]["apiVersion"] = "batch/v1";
  struct Case {
    const char* what;
    kube::Object pod;
    std::optional<WorkloadId> want;
  } cases[] = {
      {"bare pod", testing::Pod("ns", "p", "p-uid", {}), WorkloadId{"ns", "Pod", "p", "p-uid"}},
      {"deployment via replicaset",
       testing::Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "web-5d8", "rs-uid"}),
       WorkloadId{"ns", "Deployment", "web", "dep-uid"}},
      {"replicaset without deployment",
       testing::Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "solo-rs", "brs-uid"}),
       WorkloadId{"ns", "ReplicaSet", "solo-rs", "brs-uid"}},
      {"replicaset not cached", testing::Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "other", "x"}),
       std::nullopt},
      {"replicaset uid mismatch",
       testing::Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "web-5d8", "old"}), std::nullopt},
      {"statefulset", testing::Pod("ns", "db-0", "u", {}, Owner{"StatefulSet", "db", "ss-uid"}),
       WorkloadId{"ns", "StatefulSet", "db", "ss-uid"}},
      {"daemonset", testing::Pod("ns", "a-x", "u", {}, Owner{"DaemonSet", "a", "ds-uid"}),
       WorkloadId{"ns", "DaemonSet", "a", "ds-uid"}},
      {"apps/v1 kind that is not a workload",
       testing::Pod("ns", "j", "u", {}, Owner{"Job", "j", "job-uid"}), std::nullopt},
      {"job (batch/v1) is not a workload", job, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResolveOwnerOf(PodSummary::Of(c.pod), lookup), c.want) << c.what;
  }
  // Without a lookup only what needs no ReplicaSet resolves.
  EXPECT_EQ(ResolveOwnerOf(PodSummary::Of(cases[0].pod), nullptr), cases[0].want);
  EXPECT_EQ(ResolveOwnerOf(PodSummary::Of(cases[1].pod), nullptr), std::nullopt);
}

TEST(ResolveOwnerOfTest, NonControllerOwnerMeansBarePod) {
  kube::Object pod = testing::Pod("ns", "p", "u", {});
  pod["metadata"]["ownerReferences"] = kube::Object::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "x"}, {"uid", "y"}}});
  EXPECT_EQ(ResolveOwnerOf(PodSummary::Of(pod), nullptr), (WorkloadId{"ns", "Pod", "p", "u"}));
}

// The annotation as a PodSummary keeps it decides as the annotation itself, for every kind of
// current rendering: none (only ObservabilityPolicies), matching, stale, several, not rendered.
TEST(IsInjectedAnnotationTest, OnTheSummarysAnnotation) {
  const std::vector<std::vector<InjectedEntry>> currents = {
      {}, {{"p", "h1"}}, {{"p", "h2"}}, {{"q", "h1"}, {"p", "h1"}}, {{"p", ""}}};
  const std::vector<std::pair<const char*, std::vector<bool>>> want = {
      {"", {false, false, false, false, false}},
      {"p@h1", {true, true, false, true, false}},
      {"p@h2, q@h1", {true, false, true, true, false}},
      {"p", {true, false, false, false, false}},
      {" p@h1 ,", {true, true, false, true, false}}};
  for (const auto& [annotation, expected] : want) {
    const kube::Object pod =
        testing::Pod("ns", "x", "u", {}, {}, "", {{"limen.dev/injected", annotation}});
    const PodSummary summary = PodSummary::Of(pod);
    for (size_t i = 0; i < currents.size(); ++i) {
      EXPECT_EQ(IsInjectedAnnotation(annotation, currents[i]), expected[i])
          << annotation << " " << i;
      EXPECT_EQ(IsInjectedAnnotation(summary.injected(), currents[i]), expected[i])
          << annotation << " " << i;
    }
  }
}

TEST(PodIndexTest, IndexesByNamespaceControllerAndUid) {
  PodIndex index;
  index.Upsert(testing::Pod("ns", "b", "ub", {}, Owner{"ReplicaSet", "rs", "r1"}));
  index.Upsert(testing::Pod("ns", "a", "ua", {}, Owner{"ReplicaSet", "rs", "r1"}));
  index.Upsert(testing::Pod("other", "c", "uc", {}));
  EXPECT_EQ(index.Size(), 3u);
  const auto in_ns = index.InNamespace("ns");
  ASSERT_EQ(in_ns.size(), 2u);
  EXPECT_EQ(in_ns[0]->name(), "a") << "sorted by name";
  EXPECT_EQ(in_ns[1]->name(), "b");
  EXPECT_EQ(index.ByController("r1").size(), 2u);
  EXPECT_TRUE(index.ByController("none").empty());
  ASSERT_TRUE(index.ByUid("uc"));
  EXPECT_EQ(index.ByUid("uc")->ns(), "other");
  ASSERT_TRUE(index.Get("ns", "a"));
  EXPECT_EQ(index.Get("ns", "a")->uid(), "ua");
  EXPECT_FALSE(index.Get("other", "a"));
  EXPECT_TRUE(index.InNamespace("nowhere").empty());
  EXPECT_EQ(index.All().size(), 3u);
}

// An update replaces every index entry of the old state, whatever changed: a re-created Pod
// of the same name (new uid), a new controller, a new node.
TEST(PodIndexTest, UpsertReplacesTheOldStateEverywhere) {
  PodIndex index;
  index.Upsert(testing::Pod("ns", "p", "u1", {{"v", "1"}}, Owner{"ReplicaSet", "rs", "r1"}, "n1"));
  const PodSummaryPtr held = index.Get("ns", "p");
  index.Upsert(testing::Pod("ns", "p", "u2", {{"v", "2"}}, Owner{"ReplicaSet", "rs2", "r2"}, "n2"));
  EXPECT_EQ(index.Size(), 1u);
  EXPECT_FALSE(index.ByUid("u1"));
  ASSERT_TRUE(index.ByUid("u2"));
  EXPECT_TRUE(index.ByController("r1").empty());
  ASSERT_EQ(index.ByController("r2").size(), 1u);
  EXPECT_EQ(index.Get("ns", "p")->node(), "n2");
  EXPECT_EQ(index.Get("ns", "p")->Labels().at("v"), "2");
  // A reader's snapshot is immutable and outlives the update.
  EXPECT_EQ(held->uid(), "u1");
  EXPECT_EQ(held->Labels().at("v"), "1");

  index.Remove(testing::Pod("ns", "p", "u2", {}));
  EXPECT_EQ(index.Size(), 0u);
  EXPECT_FALSE(index.ByUid("u2"));
  EXPECT_TRUE(index.ByController("r2").empty());
  EXPECT_TRUE(index.InNamespace("ns").empty());
  index.Remove(testing::Pod("ns", "p", "u2", {}));  // absent: nothing happens
  EXPECT_EQ(index.Size(), 0u);
}

// Each write reports the summaries before and after, and whether anything the operator reads
// changed (what the Pod informer's handler enqueues from: its old objects are bare keys).
TEST(PodIndexTest, WritesReportTheChange) {
  PodIndex index;
  const kube::Object v1 = testing::Pod("ns", "p", "u1", {{"v", "1"}}, {}, "n1");
  PodChange c = index.Upsert(v1);
  EXPECT_FALSE(c.before);
  ASSERT_TRUE(c.after);
  EXPECT_EQ(c.after->uid(), "u1");
  EXPECT_TRUE(c.Changed());

  kube::Object same = v1;
  same["metadata"]["resourceVersion"] = "99";
  same["status"]["podIP"] = "10.0.0.9";  // nothing the summary keeps
  c = index.Upsert(same);
  ASSERT_TRUE(c.before && c.after);
  EXPECT_FALSE(c.Changed());

  c = index.Upsert(testing::Pod("ns", "p", "u1", {{"v", "2"}}, {}, "n1"));
  EXPECT_TRUE(c.Changed());
  EXPECT_EQ(c.before->Labels().at("v"), "1");
  EXPECT_EQ(c.after->Labels().at("v"), "2");

  // Remove needs only the key: what the informer's store retains (transform.h RetainKey).
  c = index.Remove(kube::Object{{"metadata", {{"name", "p"}, {"namespace", "ns"}}}});
  ASSERT_TRUE(c.before);
  EXPECT_EQ(c.before->Labels().at("v"), "2");
  EXPECT_FALSE(c.after);
  EXPECT_TRUE(c.Changed());
  EXPECT_EQ(index.Size(), 0u);
  c = index.Remove(kube::Object{{"metadata", {{"name", "p"}, {"namespace", "ns"}}}});
  EXPECT_FALSE(c.before);
  EXPECT_FALSE(c.Changed()) << "removing an absent Pod changes nothing";
}

TEST(ReplicaSetIndexTest, KeepsTheUidAndTheResolvedWorkload) {
  ReplicaSetIndex index;
  index.Upsert(
      testing::Workload("ReplicaSet", "ns", "web-1", "rs1", Owner{"Deployment", "web", "d"}));
  index.Upsert(testing::Workload("ReplicaSet", "ns", "solo", "rs2"));
  auto web = index.Get("ns/web-1");
  ASSERT_TRUE(web);
  EXPECT_EQ(web->uid, "rs1");
  EXPECT_EQ(web->workload, (WorkloadId{"ns", "Deployment", "web", "d"}));
  EXPECT_EQ(index.Get("ns/solo")->workload, (WorkloadId{"ns", "ReplicaSet", "solo", "rs2"}));
  index.Upsert(testing::Workload("ReplicaSet", "ns", "solo", "rs3"));
  EXPECT_EQ(index.Get("ns/solo")->uid, "rs3");
  index.Remove(testing::Workload("ReplicaSet", "ns", "web-1", "rs1"));
  EXPECT_FALSE(index.Get("ns/web-1"));
  EXPECT_EQ(index.Size(), 1u);
}

}  // namespace
}  // namespace limen::op
