#include "common/transform.h"

#include <gtest/gtest.h>

namespace limen::op {
namespace {

TEST(ProjectPodTest, KeepsOnlyWhatLimenReads) {
  const kube::Object pod = kube::Object::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "7",
      "labels": {"app": "web"}, "generateName": "web-",
      "annotations": {"limen.dev/injected": "r@h", "kubectl.kubernetes.io/last-applied-configuration": "{...}"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "x", "controller": true}],
      "managedFields": [{"manager": "kubectl"}]},
    "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "nginx", "env": []}]},
    "status": {"phase": "Running", "podIP": "10.0.0.1",
      "containerStatuses": [{"name": "app", "containerID": "containerd://abc", "image": "nginx", "ready": true}]}
  })");
  const kube::Object want = kube::Object::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "7",
      "labels": {"app": "web"},
      "annotations": {"limen.dev/injected": "r@h"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "x", "controller": true}]},
    "spec": {"nodeName": "n1"},
    "status": {"phase": "Running", "containerStatuses": [{"name": "app", "containerID": "containerd://abc"}]}
  })");
  EXPECT_EQ(ProjectPod(pod), want);
}

TEST(ProjectPodTest, ToleratesMissingAndMistypedFields) {
  EXPECT_EQ(ProjectPod(kube::Object::object()), kube::Object::parse(R"({"metadata": {}})"));
  EXPECT_NO_THROW(ProjectPod(
      kube::Object::parse(R"({"metadata": 3, "spec": [], "status": {"containerStatuses": [1]}})")));
}

TEST(ProjectOwnerTest, DropsSpecAndStatus) {
  const kube::Object rs = kube::Object::parse(R"({"apiVersion": "apps/v1", "kind": "ReplicaSet",
    "metadata": {"name": "rs", "namespace": "ns", "uid": "u", "generation": 2},
    "spec": {"template": {"spec": {"containers": []}}}, "status": {"replicas": 3}})");
  EXPECT_EQ(ProjectOwner(rs), kube::Object::parse(R"({"apiVersion": "apps/v1", "kind": "ReplicaSet",
    "metadata": {"name": "rs", "namespace": "ns", "uid": "u", "generation": 2}})"));
}

TEST(ProjectConfigMapSourceTest, KeepsIdentityAndVersionButNoContents) {
  // A WasmFilter module is up to 1 MiB of base64 per ConfigMap: the cache must not hold it.
  const kube::Object cm = kube::Object::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "m", "namespace": "ns", "uid": "u", "resourceVersion": "9",
      "labels": {"a": "b"}, "annotations": {"limen.dev/x": "y"},
      "managedFields": [{"manager": "kubectl"}]},
    "data": {"k": "v"}, "binaryData": {"module.wasm": "AGFzbQEAAAA="}})");
  EXPECT_EQ(ProjectConfigMapSource(cm), kube::Object::parse(R"({"apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "m", "namespace": "ns", "uid": "u", "resourceVersion": "9"}})"));
  EXPECT_EQ(ProjectConfigMapSource(kube::Object::parse(R"({"metadata": [1]})")),
            kube::Object::parse(R"({"metadata": {}})"));
  EXPECT_EQ(ProjectConfigMapSource(kube::Object::array()), kube::Object::object());
}

TEST(SameExceptResourceVersionTest, IgnoresOnlyTheResourceVersion) {
  kube::Object a = kube::Object::parse(R"({"metadata": {"name": "p", "resourceVersion": "1"}})");
  kube::Object b = kube::Object::parse(R"({"metadata": {"name": "p", "resourceVersion": "2"}})");
  EXPECT_TRUE(SameExceptResourceVersion(a, b));
  b["metadata"]["labels"] = {{"x", "y"}};
  EXPECT_FALSE(SameExceptResourceVersion(a, b));
}

}  // namespace
}  // namespace limen::op
