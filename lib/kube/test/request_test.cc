#include "limen/kube/request.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

TEST(RequestTest, ResourcePaths) {
  EXPECT_EQ(ResourcePath(resources::kConfigMaps, "ns"), "/api/v1/namespaces/ns/configmaps");
  EXPECT_EQ(ResourcePath(resources::kConfigMaps, ""), "/api/v1/configmaps");  // all namespaces
  EXPECT_EQ(ResourcePath(resources::kPods, "ns", "p", "status"),
            "/api/v1/namespaces/ns/pods/p/status");
  EXPECT_EQ(ResourcePath(resources::kLeases, "kube-system", "l"),
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l");
  // Cluster-scoped resources ignore the namespace.
  EXPECT_EQ(ResourcePath(resources::kNamespaces, "ignored", "ns1", "status"),
            "/api/v1/namespaces/ns1/status");
}

TEST(RequestTest, UrlEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(UrlEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(UrlEncode("app=web,tier!=db"), "app%3Dweb%2Ctier%21%3Ddb");
  EXPECT_EQ(UrlEncode("x in (a b)"), "x%20in%20%28a%20b%29");
  EXPECT_EQ(UrlEncode("+/?&#%"), "%2B%2F%3F%26%23%25");
  EXPECT_EQ(UrlEncode("\xc3\xa9"), "%C3%A9");
}

TEST(RequestTest, ListQuery) {
  ListOptions o;
  EXPECT_EQ(ListQuery(o).Encode(), "");
  o.label_selector = "app=web";
  o.field_selector = "metadata.name=a";
  o.limit = 2;
  o.continue_token = "eyJ2Ijoi+/=";
  EXPECT_EQ(ListQuery(o).Encode(),
            "?labelSelector=app%3Dweb&fieldSelector=metadata.name%3Da&limit=2"
            "&continue=eyJ2Ijoi%2B%2F%3D");
  ListOptions rv;
  rv.resource_version_match = "NotOlderThan";  // dropped without a resourceVersion
  EXPECT_EQ(ListQuery(rv).Encode(), "");
  rv.resource_version = "12";
  EXPECT_EQ(ListQuery(rv).Encode(), "?resourceVersion=12&resourceVersionMatch=NotOlderThan");
}

TEST(RequestTest, WatchQuery) {
  WatchOptions o;
  o.resource_version = "5";
  o.label_selector = "a=b";
  EXPECT_EQ(WatchQuery(o, 321).Encode(),
            "?watch=1&labelSelector=a%3Db&resourceVersion=5&allowWatchBookmarks=true"
            "&timeoutSeconds=321");
  o.allow_bookmarks = false;
  EXPECT_EQ(WatchQuery(o, 0).Encode(), "?watch=1&labelSelector=a%3Db&resourceVersion=5");
}

TEST(RequestTest, WatchListQuery) {
  WatchOptions o;
  o.send_initial_events = true;  // with resourceVersion "": NotOlderThan all the same
  EXPECT_EQ(WatchQuery(o, 300).Encode(),
            "?watch=1&allowWatchBookmarks=true&sendInitialEvents=true"
            "&resourceVersionMatch=NotOlderThan&timeoutSeconds=300");
}

TEST(RequestTest, WriteAndPatchQueries) {
  RequestOptions w;
  w.dry_run = true;
  w.field_manager = "limen";
  EXPECT_EQ(WriteQuery(w).Encode(), "?dryRun=All&fieldManager=limen");
  PatchOptions p;
  p.field_manager = "limen";
  p.force = true;
  EXPECT_EQ(PatchQuery(PatchType::kApply, p).Encode(), "?fieldManager=limen&force=true");
  EXPECT_EQ(PatchQuery(PatchType::kMerge, p).Encode(), "?fieldManager=limen");  // no force
}

TEST(RequestTest, PatchContentTypes) {
  EXPECT_EQ(PatchContentType(PatchType::kMerge), "application/merge-patch+json");
  EXPECT_EQ(PatchContentType(PatchType::kJsonPatch), "application/json-patch+json");
  EXPECT_EQ(PatchContentType(PatchType::kStrategicMerge), "application/strategic-merge-patch+json");
  EXPECT_EQ(PatchContentType(PatchType::kApply), "application/apply-patch+yaml");
}

TEST(RequestTest, DeleteOptionsBody) {
  EXPECT_EQ(DeleteOptionsBody({}), (Object{{"apiVersion", "v1"}, {"kind", "DeleteOptions"}}));
  DeleteOptions d;
  d.propagation_policy = "Background";
  d.precondition_uid = "u";
  d.precondition_resource_version = "9";
  d.grace_period_seconds = 0;
  d.dry_run = true;
  const Object b = DeleteOptionsBody(d);
  EXPECT_EQ(b["propagationPolicy"], "Background");
  EXPECT_EQ(b["preconditions"], (Object{{"uid", "u"}, {"resourceVersion", "9"}}));
  EXPECT_EQ(b["gracePeriodSeconds"], 0);
  EXPECT_EQ(b["dryRun"], Object::array({"All"}));
}

TEST(RequestTest, ObjectMetadata) {
  const Object o = {{"metadata", {{"name", "a"}, {"namespace", "n"}}}};
  EXPECT_EQ(ObjectName(o), "a");
  EXPECT_EQ(ObjectNamespace(o), "n");
  EXPECT_EQ(ObjectName(Object::array()), "");
  EXPECT_EQ(ObjectName({{"metadata", {{"name", 3}}}}), "");
}

}  // namespace
}  // namespace limen::kube
