#include "limen/kube/field_filter.h"

#include <gtest/gtest.h>

#include "limen/kube/watch_decoder.h"

namespace limen::kube {
namespace {

using nlohmann::json;

const json kPod = json::parse(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1", "resourceVersion": "42",
    "labels": {"app": "web"},
    "annotations": {"limen.dev/injected": "p@h", "kubectl.kubernetes.io/last-applied": "{...}"},
    "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {"f:a": {}}}}],
    "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "uid": "r1"}]},
  "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "x", "args": [1, [2, 3]]}]},
  "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.1"}],
    "containerStatuses": [{"name": "app", "containerID": "containerd://1", "state": {"running": {}}},
                          {"name": "side", "containerID": "containerd://2", "ready": true}]}
})");

const std::vector<FieldMask::Path> kProjection = {{"metadata", "labels"},
                                                  {"metadata", "annotations", "limen.dev/*"},
                                                  {"metadata", "ownerReferences"},
                                                  {"spec", "nodeName"},
                                                  {"status", "phase"},
                                                  {"status", "containerStatuses", "name"},
                                                  {"status", "containerStatuses", "containerID"}};

json ListOf(const json& item) {
  return {{"kind", "PodList"},
          {"apiVersion", "v1"},
          {"metadata", {{"resourceVersion", "99"}, {"continue", "c"}}},
          {"items", json::array({item, item})}};
}

TEST(FieldMask, KeepingKeepsThePathsAndWhatTheInformerNeeds) {
  auto mask = FieldMask::Keeping(kProjection);
  json got = ParseFiltered(kPod.dump(), mask.get(), {});
  json want = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1", "resourceVersion": "42",
      "labels": {"app": "web"}, "annotations": {"limen.dev/injected": "p@h"},
      "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "uid": "r1"}]},
    "spec": {"nodeName": "n1"},
    "status": {"phase": "Running",
      "containerStatuses": [{"name": "app", "containerID": "containerd://1"},
                            {"name": "side", "containerID": "containerd://2"}]}
  })");
  EXPECT_EQ(got, want) << got.dump(1);
}

TEST(FieldMask, AllExceptDropsOnlyThePaths) {
  auto mask = FieldMask::AllExcept({{"metadata", "managedFields"}, {"status", "podIPs"}});
  json want = kPod;
  want["metadata"].erase("managedFields");
  want["status"].erase("podIPs");
  EXPECT_EQ(ParseFiltered(kPod.dump(), mask.get(), {}), want);
}

TEST(FieldMask, AppliesToEveryItemOfAListAndKeepsTheEnvelope) {
  auto mask = FieldMask::Keeping({{"spec", "nodeName"}});
  json got = ParseFiltered(ListOf(kPod).dump(), mask.get(), {"items"});
  ASSERT_EQ(got["items"].size(), 2u);
  EXPECT_EQ(got["metadata"], json({{"resourceVersion", "99"}, {"continue", "c"}}));
  for (const json& item : got["items"]) {
    EXPECT_EQ(item, json::parse(R"({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "web-1", "namespace": "shop", "uid": "u1", "resourceVersion": "42"},
      "spec": {"nodeName": "n1"}})"));
  }
}

// A dropped member that is the last of its object, followed by containers one level up:
// the parser announces no end for dropped containers, so the filter must not stay "inside".
TEST(FieldMask, ResumesAfterADroppedLastMember) {
  auto mask = FieldMask::AllExcept({{"a", "drop"}});
  const std::string doc = R"({"items": [{"a": {"keep": 1, "drop": {"x": [1, {"y": 2}]}},
    "b": [[1, 2], {"c": 3}], "d": "e"}, {"a": {"drop": [1]}, "f": [4]}]})";
  json got = ParseFiltered(doc, mask.get(), {"items"});
  EXPECT_EQ(got, json::parse(R"({"items": [{"a": {"keep": 1}, "b": [[1, 2], {"c": 3}], "d": "e"},
                                           {"a": {}, "f": [4]}]})"))
      << got.dump();
  // The same with no key between the dropped member and the next values.
  auto drop = FieldMask::AllExcept({{"a", "drop"}});
  got = ParseFiltered(R"({"items": [{"a": [{"keep": 1, "drop": 2}, [3, 4], 5]}]})", drop.get(),
                      {"items"});
  EXPECT_EQ(got, json::parse(R"({"items": [{"a": [{"keep": 1}, [3, 4], 5]}]})")) << got.dump();
}

TEST(FieldMask, NoFilterAndInvalidJson) {
  EXPECT_EQ(ParseFiltered(kPod.dump(), nullptr, {"items"}), kPod);
  auto mask = FieldMask::Keeping(kProjection);
  EXPECT_TRUE(ParseFiltered(R"({"items": [{"a": )", mask.get(), {"items"}).is_discarded());
  EXPECT_TRUE(ParseFiltered("", mask.get(), {}).is_discarded());
}

TEST(FieldMask, WatchEventsFilterTheObjectButNeverAnErrorStatus) {
  auto mask = FieldMask::Keeping({{"spec", "nodeName"}});
  std::string why;
  json added = {{"type", "ADDED"}, {"object", kPod}};
  auto ev = ParseWatchEvent(added.dump(), &why, mask.get());
  ASSERT_TRUE(ev.has_value()) << why;
  EXPECT_FALSE(ev->object.contains("status"));
  EXPECT_EQ(ev->object["spec"], json({{"nodeName", "n1"}}));
  EXPECT_EQ(ev->object["metadata"]["resourceVersion"], "42");

  json error = {{"type", "ERROR"},
                {"object",
                 {{"kind", "Status"},
                  {"apiVersion", "v1"},
                  {"code", 410},
                  {"reason", "Expired"},
                  {"message", "too old resource version: 1 (2)"}}}};
  ev = ParseWatchEvent(error.dump(), &why, mask.get());
  ASSERT_TRUE(ev.has_value()) << why;
  EXPECT_EQ(ev->object, error["object"]);

  WatchDecoder decoder(WatchDecoder::kDefaultMaxLineBytes, mask);
  auto events = decoder.Feed(added.dump() + "\n" + error.dump() + "\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].object.contains("status"));
  EXPECT_EQ(events[1].object["code"], 410);
}

}  // namespace
}  // namespace limen::kube
