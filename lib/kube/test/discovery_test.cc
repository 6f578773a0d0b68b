#include "limen/kube/discovery.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

TEST(DiscoveryTest, PathFor) {
  EXPECT_EQ(Discovery::PathFor("v1"), "/api/v1");
  EXPECT_EQ(Discovery::PathFor("apps/v1"), "/apis/apps/v1");
  EXPECT_EQ(Discovery::PathFor(""), "");
  EXPECT_EQ(Discovery::PathFor("a/b/c"), "");
  EXPECT_EQ(Discovery::PathFor("/v1"), "");
}

Object LeaseList(bool with_widget) {
  Object list = {{"kind", "APIResourceList"},
                 {"groupVersion", "coordination.k8s.io/v1"},
                 {"resources",
                  {{{"name", "leases"}, {"namespaced", true}, {"kind", "Lease"}},
                   {{"name", "leases/status"}, {"namespaced", true}, {"kind", "Lease"}}}}};
  if (with_widget) {
    list["resources"].push_back({{"name", "widgets"}, {"namespaced", false}, {"kind", "Widget"}});
  }
  return list;
}

TEST(DiscoveryTest, ResolvesAndCaches) {
  int fetches = 0;
  Discovery d([&](const std::string& path) -> ApiResult<Object> {
    ++fetches;
    EXPECT_EQ(path, "/apis/coordination.k8s.io/v1");
    return LeaseList(false);
  });
  auto r = d.Resolve("coordination.k8s.io/v1", "Lease");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, resources::kLeases);
  ASSERT_TRUE(d.Resolve("coordination.k8s.io/v1", "Lease").ok());
  EXPECT_EQ(fetches, 1);
  d.Invalidate();
  ASSERT_TRUE(d.ResolveFor({{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}}).ok());
  EXPECT_EQ(fetches, 2);
}

TEST(DiscoveryTest, AMissRefetchesOnceForNewlyInstalledKinds) {
  int fetches = 0;
  Discovery d([&](const std::string&) -> ApiResult<Object> {
    ++fetches;
    return LeaseList(fetches > 1);  // the "CRD" appears after the first fetch
  });
  ASSERT_TRUE(d.Resolve("coordination.k8s.io/v1", "Lease").ok());
  auto w = d.Resolve("coordination.k8s.io/v1", "Widget");
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->namespaced);
  EXPECT_EQ(w->resource, "widgets");
  EXPECT_EQ(fetches, 2);
  auto unknown = d.Resolve("coordination.k8s.io/v1", "Gadget");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().IsNotFound());
  EXPECT_EQ(unknown.error().message,
            "no resource of kind \"Gadget\" in apiVersion \"coordination.k8s.io/v1\"");
}

TEST(DiscoveryTest, UnknownGroupVersionAndMalformedInput) {
  Discovery d([](const std::string&) -> ApiResult<Object> {
    return ApiError::FromResponse(404, R"({"kind":"Status","reason":"NotFound"})");
  });
  auto r = d.Resolve("nope.example.com/v1", "Thing");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().IsNotFound());
  EXPECT_NE(r.error().message.find("nope.example.com/v1"), std::string::npos);
  auto bad = d.Resolve("a/b/c", "Thing");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 400);
}

}  // namespace
}  // namespace limen::kube
