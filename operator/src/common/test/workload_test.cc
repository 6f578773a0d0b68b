#include "common/workload.h"

#include <gtest/gtest.h>

#include "builders.h"

namespace limen::op {
namespace {

using testing::Pod;

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
  const std::string fresh = "res@h2", stale = "res@h1", none;
  const std::vector<InjectedEntry> current = {{"res", "h2"}};
  EXPECT_TRUE(IsInjectedAnnotation(fresh, current));
  EXPECT_FALSE(IsInjectedAnnotation(stale, current));
  EXPECT_FALSE(IsInjectedAnnotation(none, current));
  // Only ObservabilityPolicies: the annotation alone counts.
  EXPECT_TRUE(IsInjectedAnnotation(stale, {}));
  EXPECT_FALSE(IsInjectedAnnotation(none, {}));
  // A policy not rendered yet (no hash) matches nothing.
  EXPECT_FALSE(IsInjectedAnnotation(stale, {{"res", ""}}));
}

}  // namespace
}  // namespace limen::op
