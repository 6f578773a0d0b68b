#include "common/workload.h"

#include <gtest/gtest.h>

#include "builders.h"

namespace limen::op {
namespace {

using testing::Owner;
using testing::Pod;
using testing::Workload;

TEST(WorkloadKeyTest, RoundTripsEveryKind) {
  struct Case {
    WorkloadId id;
    std::string key;
  } cases[] = {
      {{"shop", "Deployment", "web-api", ""}, "shop/deployment-web-api"},
      {{"shop", "StatefulSet", "db", ""}, "shop/statefulset-db"},
      {{"a", "DaemonSet", "agent", ""}, "a/daemonset-agent"},
      {{"a", "ReplicaSet", "rs-1", ""}, "a/replicaset-rs-1"},
      {{"a", "Pod", "solo", ""}, "a/pod-solo"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(WorkloadKey(c.id), c.key);
    auto parsed = ParseWorkloadKey(c.key);
    ASSERT_TRUE(parsed) << c.key;
    EXPECT_EQ(*parsed, c.id);
  }
}

TEST(WorkloadKeyTest, RejectsKeysLimenNeverGives) {
  for (const char* key : {"shop/web", "shop/job-x", "shop/deployment-", "deployment-web", "a/-x"}) {
    EXPECT_FALSE(ParseWorkloadKey(key)) << key;
  }
}

TEST(ResolveOwnerTest, TableOfOwners) {
  const auto rs = std::make_shared<const kube::Object>(
      Workload("ReplicaSet", "ns", "web-5d8", "rs-uid", Owner{"Deployment", "web", "dep-uid"}));
  const auto bare_rs =
      std::make_shared<const kube::Object>(Workload("ReplicaSet", "ns", "solo-rs", "brs-uid"));
  auto lookup = [&](const std::string& key) -> ObjectPtr {
    if (key == "ns/web-5d8") return rs;
    if (key == "ns/solo-rs") return bare_rs;
    return nullptr;
  };
  struct Case {
    const char* what;
    kube::Object pod;
    std::optional<WorkloadId> want;
  } cases[] = {
      {"bare pod", Pod("ns", "p", "p-uid", {}), WorkloadId{"ns", "Pod", "p", "p-uid"}},
      {"deployment via replicaset",
       Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "web-5d8", "rs-uid"}),
       WorkloadId{"ns", "Deployment", "web", "dep-uid"}},
      {"replicaset without deployment",
       Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "solo-rs", "brs-uid"}),
       WorkloadId{"ns", "ReplicaSet", "solo-rs", "brs-uid"}},
      {"replicaset not cached", Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "other", "x"}),
       std::nullopt},
      {"replicaset uid mismatch", Pod("ns", "p", "u", {}, Owner{"ReplicaSet", "web-5d8", "old"}),
       std::nullopt},
      {"statefulset", Pod("ns", "db-0", "u", {}, Owner{"StatefulSet", "db", "ss-uid"}),
       WorkloadId{"ns", "StatefulSet", "db", "ss-uid"}},
      {"daemonset", Pod("ns", "a-x", "u", {}, Owner{"DaemonSet", "a", "ds-uid"}),
       WorkloadId{"ns", "DaemonSet", "a", "ds-uid"}},
      {"job is not a workload", Pod("ns", "j", "u", {}, Owner{"Job", "j", "job-uid"}),
       std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResolveOwner(c.pod, lookup), c.want) << c.what;
  }
}

TEST(ResolveOwnerTest, NonControllerOwnerMeansBarePod) {
  kube::Object pod = Pod("ns", "p", "u", {});
  pod["metadata"]["ownerReferences"] = kube::Object::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "x"}, {"uid", "y"}}});
  EXPECT_EQ(ResolveOwner(pod, nullptr), (WorkloadId{"ns", "Pod", "p", "u"}));
}

TEST(ActivePodTest, FinishedAndDeletingPodsDoNotCount) {
  kube::Object pod = Pod("ns", "p", "u", {});
  EXPECT_TRUE(IsActivePod(pod));
  pod["status"]["phase"] = "Succeeded";
  EXPECT_FALSE(IsActivePod(pod));
  pod["status"]["phase"] = "Running";
  pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(IsActivePod(pod));
}

TEST(InjectedTest, ParsesEntries) {
  EXPECT_EQ(ParseInjected("a@h1"), (std::vector<InjectedEntry>{{"a", "h1"}}));
  EXPECT_EQ(ParseInjected(" a@h1 , b@h2,"), (std::vector<InjectedEntry>{{"a", "h1"}, {"b", "h2"}}));
  EXPECT_EQ(ParseInjected("plain"), (std::vector<InjectedEntry>{{"plain", ""}}));
  EXPECT_TRUE(ParseInjected("").empty());
}

TEST(InjectedTest, CurrentHashDecides) {
  const kube::Object fresh = Pod("ns", "p", "u", {}, {}, "", {{"limen.dev/injected", "res@h2"}});
  const kube::Object stale = Pod("ns", "q", "v", {}, {}, "", {{"limen.dev/injected", "res@h1"}});
  const kube::Object none = Pod("ns", "r", "w", {});
  const std::vector<InjectedEntry> current = {{"res", "h2"}};
  EXPECT_TRUE(IsInjected(fresh, current));
  EXPECT_FALSE(IsInjected(stale, current));
  EXPECT_FALSE(IsInjected(none, current));
  // Only ObservabilityPolicies: the annotation alone counts.
  EXPECT_TRUE(IsInjected(stale, {}));
  EXPECT_FALSE(IsInjected(none, {}));
  // A policy not rendered yet (no hash) matches nothing.
  EXPECT_FALSE(IsInjected(stale, {{"res", ""}}));
}

}  // namespace
}  // namespace limen::op
