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
    "status": {"phase": "Running"}
  })");
  EXPECT_EQ(ProjectPod(pod), want);
}

TEST(RetainKeyTest, KeepsWhatTheInformerNeedsOfAStoredPod) {
  const kube::Object projected = kube::Object::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "7",
      "labels": {"app": "web"}}, "spec": {"nodeName": "n1"}})");
  EXPECT_EQ(RetainKey(projected), kube::Object::parse(R"({"metadata":
    {"name": "p", "namespace": "ns", "resourceVersion": "7"}})"));
  EXPECT_EQ(RetainKey(kube::Object::array()), kube::Object::parse(R"({"metadata": {}})"));
}

TEST(RetainNodeProbeStateTest, DropsOnlyThePerPodMeasurements) {
  const kube::Object nps = kube::Object::parse(R"({"metadata": {"name": "n1",
    "resourceVersion": "3"}, "status": {"podCount": 1, "reportedAt": "2026-01-01T00:00:00Z",
    "probes": [{"name": "process.exec", "state": "Attached"}],
    "pods": [{"uid": "u1", "rssBytes": 1}]}})");
  kube::Object want = nps;
  want["status"].erase("pods");
  EXPECT_EQ(RetainNodeProbeState(nps), want);
  for (const char* odd : {R"({"metadata": {"name": "n1"}})", R"({"status": "x"})", "[]"}) {
    EXPECT_EQ(RetainNodeProbeState(kube::Object::parse(odd)), kube::Object::parse(odd)) << odd;
  }
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

// The parse-time filters must never drop what a projection keeps: projecting the filtered
// parse gives the same object as projecting the whole one.
TEST(FieldFiltersTest, AgreeWithTheirProjections) {
  const kube::Object pod = kube::Object::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "7",
      "generation": 1, "labels": {"app": "web"}, "deletionTimestamp": "2026-11-26T10:00:00Z",
      "annotations": {"limen.dev/injected": "r@h", "other": "x"},
      "ownerReferences": [{"kind": "ReplicaSet", "name": "rs", "uid": "x", "controller": true}],
      "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}]},
    "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "nginx"}]},
    "status": {"phase": "Running", "conditions": [{"type": "Ready"}],
      "containerStatuses": [{"name": "app", "containerID": "containerd://abc", "state": {"running": {}}}]}
  })");
  const kube::Object rs = kube::Object::parse(R"({"apiVersion": "apps/v1", "kind": "ReplicaSet",
    "metadata": {"name": "rs", "namespace": "ns", "uid": "u", "generation": 2, "labels": {"a": "b"},
      "ownerReferences": [{"kind": "Deployment", "name": "d", "uid": "d1", "controller": true}],
      "managedFields": [{"manager": "kcm"}]},
    "spec": {"template": {"spec": {"containers": []}}}, "status": {"replicas": 3}})");
  const kube::Object cm = kube::Object::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "m", "namespace": "ns", "uid": "u", "resourceVersion": "9", "labels": {"a": "b"}},
    "binaryData": {"module.wasm": "AGFzbQEAAAA="}})");
  const kube::Object policy = kube::Object::parse(R"({"apiVersion": "limen.dev/v1alpha1",
    "kind": "ObservabilityPolicy", "metadata": {"name": "o", "namespace": "ns", "generation": 3,
      "managedFields": [{"manager": "kubectl"}]},
    "spec": {"selector": {"matchLabels": {"app": "web"}}}, "status": {"conditions": []}})");
  struct Case {
    const char* name;
    const kube::Object& object;
    kube::Object (*project)(kube::Object);
    std::shared_ptr<const kube::FieldFilter> filter;
  };
  for (const Case& c :
       {Case{"pod", pod, ProjectPod, PodFields()}, Case{"owner", rs, ProjectOwner, OwnerFields()},
        Case{"configmap", cm, ProjectConfigMapSource, ConfigMapSourceFields()},
        Case{"limen", policy, ProjectLimen, LimenFields()}}) {
    const kube::Object filtered = kube::ParseFiltered(c.object.dump(), c.filter.get(), {});
    EXPECT_EQ(c.project(filtered), c.project(c.object)) << c.name;
    EXPECT_LT(filtered.dump().size(), c.object.dump().size()) << c.name << ": nothing dropped";
  }
  // The Pod filter alone already is the projection.
  EXPECT_EQ(kube::ParseFiltered(pod.dump(), PodFields().get(), {}), ProjectPod(pod));
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
