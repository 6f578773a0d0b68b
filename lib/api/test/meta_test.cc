#include "limen/api/meta.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

TEST(ObjectMetaTest, DecodesAndRoundTrips) {
  const Json j = Json::parse(R"({
    "name": "web", "namespace": "shop", "uid": "6f0c", "resourceVersion": "42", "generation": 3,
    "labels": {"app": "web"}, "annotations": {"limen.dev/injected": "p@abc"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                         "uid": "r1", "controller": true, "blockOwnerDeletion": true}],
    "creationTimestamp": "2024-05-01T10:00:00Z", "deletionTimestamp": "2024-05-02T10:00:00Z",
    "finalizers": ["limen.dev/cleanup"],
    "managedFields": [{"manager": "kubectl"}], "generateName": "web-"})");
  const auto m = Decode<ObjectMeta>(j);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->namespace_, "shop");
  EXPECT_EQ(m->generation, 3);
  EXPECT_EQ(m->labels.at("app"), "web");
  ASSERT_NE(m->ControllerRef(), nullptr);
  EXPECT_EQ(m->ControllerRef()->name, "web-1");
  EXPECT_TRUE(m->HasFinalizer("limen.dev/cleanup"));
  EXPECT_FALSE(m->HasFinalizer("other"));
  EXPECT_EQ(FormatTime(*m->creation_timestamp), "2024-05-01T10:00:00Z");
  EXPECT_EQ(Encode(*m), j);
}

TEST(ObjectMetaTest, NoControllerRef) {
  ObjectMeta m;
  m.owner_references.push_back(OwnerReference{"v1", "Pod", "p", "u", false, std::nullopt, {}});
  EXPECT_EQ(m.ControllerRef(), nullptr);
}

}  // namespace
}  // namespace limen::api
