// HttpClient against the real local apiserver (ctest fixture `cluster`), configured by
// loading the fixture's kubeconfig through LoadConfig. Each test works in a namespace of
// its own.
#include <gtest/gtest.h>

#include <cstdlib>

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "filter_fixtures.h"
#include "limen/kube/base64.h"
#include "limen/kube/config.h"
#include "limen/kube/discovery.h"
#include "limen/kube/http_client.h"
#include "limen/testing/cluster_env.h"

namespace limen::kube {
namespace {

using namespace std::chrono_literals;

ListOptions Labels(std::string selector) {
  ListOptions o;
  o.label_selector = std::move(selector);
  return o;
}
ListOptions Fields(std::string selector) {
  ListOptions o;
  o.field_selector = std::move(selector);
  return o;
}
RequestOptions DryRun() {
  RequestOptions o;
  o.dry_run = true;
  return o;
}
RequestOptions StatusSubresource() {
  RequestOptions o;
  o.subresource = "status";
  return o;
}

class HttpClientIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = limen::testing::LoadClusterEnv();
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    ConfigSources sources;
    sources.kubeconfig_path = env->dir + "/kubeconfig";
    auto config = LoadConfig(sources);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto client = HttpClient::Create(*config);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);

    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ns_ = "kc-" + name.substr(0, 40) + "-" + std::to_string(std::random_device{}() % 100000);
    auto created = client_->Create(
        resources::kNamespaces, "",
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created.ok()) << created.error().ToString();
  }

  void TearDown() override {
    if (client_ && !ns_.empty()) {
      (void)client_->Delete(resources::kNamespaces, "", ns_);
    }
  }

  static Object ConfigMap(const std::string& name, Object data = Object::object(),
                          Object labels = Object::object()) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}, {"labels", std::move(labels)}}},
            {"data", std::move(data)}};
  }

  Object MustCreate(const Resource& r, const Object& obj) {
    auto created = client_->Create(r, ns_, obj);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? *created : Object();
  }

  // Removes the member at `pointer` (so that a finalizer does not hold the namespace).
  void JsonPatchAway(const Resource& r, const std::string& name, const std::string& pointer) {
    auto removed = client_->Patch(r, ns_, name, PatchType::kJsonPatch,
                                  Object::array({{{"op", "remove"}, {"path", pointer}}}));
    EXPECT_TRUE(removed.ok()) << removed.error().ToString();
  }

  std::unique_ptr<HttpClient> client_;
  std::string ns_;
};

TEST_F(HttpClientIntegrationTest, ConfigMapCrud) {
  const Object created = MustCreate(resources::kConfigMaps, ConfigMap("a", {{"k", "1"}}));
  EXPECT_FALSE(created["metadata"].value("resourceVersion", "").empty());

  auto got = client_->Get(resources::kConfigMaps, ns_, "a");
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ((*got)["data"]["k"], "1");

  Object changed = *got;
  changed["data"]["k"] = "2";
  auto updated = client_->Update(resources::kConfigMaps, ns_, changed);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ((*updated)["data"]["k"], "2");

  auto list = client_->List(resources::kConfigMaps, ns_);
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  bool found = false;
  for (const auto& item : list->items) {
    if (item["metadata"]["name"] == "a") {
      found = true;
      EXPECT_EQ(item["kind"], "ConfigMap");
      EXPECT_EQ(item["apiVersion"], "v1");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE(list->resource_version.empty());

  auto dry = client_->Create(resources::kConfigMaps, ns_, ConfigMap("dry"), DryRun());
  ASSERT_TRUE(dry.ok()) << dry.error().ToString();
  EXPECT_TRUE(client_->Get(resources::kConfigMaps, ns_, "dry").error().IsNotFound());

  auto deleted = client_->Delete(resources::kConfigMaps, ns_, "a");
  ASSERT_TRUE(deleted.ok()) << deleted.error().ToString();
  auto gone = client_->Get(resources::kConfigMaps, ns_, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.error().IsNotFound());
  EXPECT_EQ(gone.error().reason, "NotFound");
  EXPECT_TRUE(client_->Create(resources::kConfigMaps, ns_, ConfigMap("b")).ok());
  auto again = client_->Create(resources::kConfigMaps, ns_, ConfigMap("b"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().IsAlreadyExists());
}

TEST_F(HttpClientIntegrationTest, UpdateWithStaleResourceVersionConflicts) {
  const Object v1 = MustCreate(resources::kConfigMaps, ConfigMap("a", {{"k", "1"}}));
  Object v2 = v1;
  v2["data"]["k"] = "2";
  ASSERT_TRUE(client_->Update(resources::kConfigMaps, ns_, v2).ok());
  Object stale = v1;  // still carries the first resourceVersion
  stale["data"]["k"] = "3";
  auto r = client_->Update(resources::kConfigMaps, ns_, stale);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 409);
  EXPECT_TRUE(r.error().IsConflict());
  EXPECT_EQ(r.error().reason, "Conflict");
  EXPECT_NE(r.error().message.find("the object has been modified"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().ToStatus().code(), StatusCode::kConflict);
}

TEST_F(HttpClientIntegrationTest, ServerSideApplyConflictThenForce) {
  const Object intent = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "applied"}}},
                         {"data", {{"k", "from-a"}}}};
  PatchOptions a;
  a.field_manager = "manager-a";
  auto first = client_->Patch(resources::kConfigMaps, ns_, "applied", PatchType::kApply, intent, a);
  ASSERT_TRUE(first.ok()) << first.error().ToString();

  Object other = intent;
  other["data"]["k"] = "from-b";
  PatchOptions b;
  b.field_manager = "manager-b";
  auto conflict =
      client_->Patch(resources::kConfigMaps, ns_, "applied", PatchType::kApply, other, b);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, 409);
  EXPECT_TRUE(conflict.error().IsConflict());
  EXPECT_NE(conflict.error().message.find("manager-a"), std::string::npos)
      << conflict.error().message;

  b.force = true;
  auto forced = client_->Patch(resources::kConfigMaps, ns_, "applied", PatchType::kApply, other, b);
  ASSERT_TRUE(forced.ok()) << forced.error().ToString();
  EXPECT_EQ((*forced)["data"]["k"], "from-b");
}

TEST_F(HttpClientIntegrationTest, JsonPatchTestFailureIsInvalid) {
  MustCreate(resources::kConfigMaps, ConfigMap("a", {{"k", "1"}}));
  const Object failing = Object::array({{{"op", "test"}, {"path", "/data/k"}, {"value", "wrong"}},
                                        {{"op", "replace"}, {"path", "/data/k"}, {"value", "2"}}});
  auto r = client_->Patch(resources::kConfigMaps, ns_, "a", PatchType::kJsonPatch, failing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 422) << r.error().ToString();
  EXPECT_TRUE(r.error().IsInvalid());

  const Object passing = Object::array({{{"op", "test"}, {"path", "/data/k"}, {"value", "1"}},
                                        {{"op", "replace"}, {"path", "/data/k"}, {"value", "2"}}});
  auto ok = client_->Patch(resources::kConfigMaps, ns_, "a", PatchType::kJsonPatch, passing);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ((*ok)["data"]["k"], "2");
}

TEST_F(HttpClientIntegrationTest, MergeAndStrategicMergePatch) {
  MustCreate(resources::kConfigMaps, ConfigMap("a", {{"keep", "1"}, {"drop", "2"}}));
  auto merged = client_->Patch(resources::kConfigMaps, ns_, "a", PatchType::kMerge,
                               {{"data", {{"drop", nullptr}, {"new", "3"}}}});
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  EXPECT_EQ((*merged)["data"], (Object{{"keep", "1"}, {"new", "3"}}));
  auto smp = client_->Patch(resources::kConfigMaps, ns_, "a", PatchType::kStrategicMerge,
                            {{"metadata", {{"labels", {{"x", "y"}}}}}});
  ASSERT_TRUE(smp.ok()) << smp.error().ToString();
  EXPECT_EQ((*smp)["metadata"]["labels"]["x"], "y");
}

TEST_F(HttpClientIntegrationTest, ListPaginationAndSelectors) {
  for (int i = 0; i < 7; ++i) {
    MustCreate(resources::kConfigMaps,
               ConfigMap("cm-" + std::to_string(i), Object::object(),
                         {{"set", i % 2 == 0 ? "even" : "odd"}, {"paged", "yes"}}));
  }
  ListOptions page;
  page.label_selector = "paged=yes";
  page.limit = 2;
  auto first = client_->List(resources::kConfigMaps, ns_, page);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->items.size(), 2u);
  EXPECT_FALSE(first->continue_token.empty());

  int pages = 0;
  std::set<std::string> names;
  ListOptions next = page;
  for (;;) {
    auto p = client_->List(resources::kConfigMaps, ns_, next);
    ASSERT_TRUE(p.ok()) << p.error().ToString();
    ++pages;
    for (const auto& item : p->items) names.insert(item["metadata"]["name"]);
    if (p->continue_token.empty()) break;
    next.continue_token = p->continue_token;
  }
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(names.size(), 7u);

  auto all = ListAll(*client_, resources::kConfigMaps, ns_, page);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->items.size(), 7u);
  EXPECT_TRUE(all->continue_token.empty());

  auto even = client_->List(resources::kConfigMaps, ns_, Labels("set in (even)"));
  ASSERT_TRUE(even.ok()) << even.error().ToString();
  EXPECT_EQ(even->items.size(), 4u);
  auto not_odd = client_->List(resources::kConfigMaps, ns_, Labels("paged=yes,set!=odd"));
  ASSERT_TRUE(not_odd.ok()) << not_odd.error().ToString();
  EXPECT_EQ(not_odd->items.size(), 4u);
  auto by_name = client_->List(resources::kConfigMaps, ns_, Fields("metadata.name=cm-3"));
  ASSERT_TRUE(by_name.ok()) << by_name.error().ToString();
  ASSERT_EQ(by_name->items.size(), 1u);
  EXPECT_EQ(by_name->items[0]["metadata"]["name"], "cm-3");
  auto bad = client_->List(resources::kConfigMaps, ns_, Labels("=== nonsense"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 400);
}

TEST_F(HttpClientIntegrationTest, PodStatusSubresource) {
  // The ServiceAccount admission plugin requires the namespace's default account.
  const Resource service_accounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
  auto sa = client_->Create(service_accounts, ns_, {{"metadata", {{"name", "default"}}}});
  ASSERT_TRUE(sa.ok() || sa.error().IsAlreadyExists()) << sa.error().ToString();
  const Object pod = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", {{"name", "p"}}},
                      {"spec",
                       {{"automountServiceAccountToken", false},
                        {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  ASSERT_TRUE(MustCreate(resources::kPods, pod).is_object());

  // kube-scheduler writes the Pod too (PodScheduled=False: there are no nodes), so each
  // update starts from a fresh read and retries on conflict, as client-go's
  // RetryOnConflict does.
  auto update = [&](const std::function<void(Object&)>& mutate,
                    const RequestOptions& opts) -> ApiResult<Object> {
    for (int attempt = 0;; ++attempt) {
      auto current = client_->Get(resources::kPods, ns_, "p");
      if (!current.ok()) return current;
      mutate(*current);
      auto r = client_->Update(resources::kPods, ns_, *current, opts);
      if (r.ok() || !r.error().IsConflict() || attempt == 5) return r;
    }
  };
  auto updated = update(
      [](Object& p) {
        p["status"]["phase"] = "Running";
        p["status"]["podIP"] = "10.0.0.9";
      },
      StatusSubresource());
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ((*updated)["status"]["phase"], "Running");

  // A write to the object itself does not touch its status.
  auto main_updated = update(
      [](Object& p) {
        p["status"]["phase"] = "Failed";
        p["metadata"]["labels"]["touched"] = "yes";
      },
      RequestOptions{});
  ASSERT_TRUE(main_updated.ok()) << main_updated.error().ToString();
  EXPECT_EQ((*main_updated)["status"]["phase"], "Running");
  EXPECT_EQ((*main_updated)["metadata"]["labels"]["touched"], "yes");

  PatchOptions status_patch;
  status_patch.subresource = "status";
  auto patched = client_->Patch(resources::kPods, ns_, "p", PatchType::kMerge,
                                {{"status", {{"podIP", "10.1.2.3"}}}}, status_patch);
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  EXPECT_EQ((*patched)["status"]["podIP"], "10.1.2.3");

  auto status = client_->Get(resources::kPods, ns_, "p", StatusSubresource());
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ((*status)["status"]["phase"], "Running");
}

// ListOptions::protobuf: the same lists read as protobuf and as JSON, at one resourceVersion,
// under filters the protobuf decoder covers (it must then be used) and one it does not (the
// list must then come as JSON). Pods with every decodable kind of field set, including a
// Pod being deleted (deletionTimestamp, deletionGracePeriodSeconds) and written statuses.
TEST_F(HttpClientIntegrationTest, ProtobufListEqualsJsonList) {
  const Resource service_accounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
  auto sa = client_->Create(service_accounts, ns_, {{"metadata", {{"name", "default"}}}});
  ASSERT_TRUE(sa.ok() || sa.error().IsAlreadyExists()) << sa.error().ToString();
  const Object containers = {{{"name", "app"}, {"image", "busybox:1.36"}}};
  // A real owner: the garbage collector deletes dependents of owners that do not exist.
  const Object owner = MustCreate(resources::kConfigMaps, ConfigMap("owner"));
  MustCreate(resources::kPods,
             {{"metadata", {{"name", "plain"}}}, {"spec", {{"containers", containers}}}});
  MustCreate(resources::kPods,
             {{"metadata",
               {{"name", "rich"},
                {"labels", {{"app", "web"}, {"empty", ""}}},
                {"annotations", {{"limen.dev/injected", "p@1"}, {"example.com/other", "x"}}},
                {"ownerReferences",
                 {{{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"name", "owner"},
                   {"uid", owner["metadata"]["uid"]},
                   {"controller", true},
                   {"blockOwnerDeletion", true}}}}}},
              {"spec",
               {{"containers", containers},
                {"nodeSelector", {{"disk", "ssd"}}},
                {"restartPolicy", "OnFailure"},
                {"terminationGracePeriodSeconds", 0},
                {"activeDeadlineSeconds", 600},
                {"hostname", "rich"},
                {"subdomain", "sub"}}}});
  // No Pod is bound to a node: kube-controller-manager deletes Pods of nodes that do not
  // exist. An unbound Pod's deletion has a grace period of 0 (a pointer field set to 0).
  MustCreate(resources::kPods,
             {{"metadata", {{"name", "deleting"}, {"finalizers", {"limen.dev/hold"}}}},
              {"spec", {{"containers", containers}}}});
  DeleteOptions grace;
  grace.grace_period_seconds = 30;
  ASSERT_TRUE(client_->Delete(resources::kPods, ns_, "deleting", grace).ok());
  PatchOptions status;
  status.subresource = "status";
  auto patched =
      client_->Patch(resources::kPods, ns_, "rich", PatchType::kMerge,
                     {{"status",
                       {{"phase", "Running"},
                        {"podIP", "10.0.0.9"},
                        {"hostIP", "192.168.0.2"},
                        {"startTime", "2026-11-27T10:00:00Z"},
                        {"containerStatuses",
                         {{{"name", "app"},
                           {"ready", true},
                           {"restartCount", 2},
                           {"image", "busybox:1.36"},
                           {"imageID", "docker.io/library/busybox@sha256:abc"},
                           {"containerID", "containerd://0123"},
                           {"started", true},
                           {"state", {{"running", {{"startedAt", "2026-11-27T10:00:01Z"}}}}}}}}}}},
                     status);
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();

  const auto any = client_->List(resources::kPods, ns_);
  ASSERT_TRUE(any.ok()) << any.error().ToString();
  std::string names;
  for (const auto& p : any->items) names += p["metadata"].value("name", "") + " ";
  ASSERT_EQ(any->items.size(), 3u) << names;
  auto list = [&](std::shared_ptr<const FieldFilter> filter, bool protobuf) {
    ListOptions o;
    o.field_filter = std::move(filter);
    o.protobuf = protobuf;
    o.resource_version = any->resource_version;
    o.resource_version_match = "Exact";
    return client_->List(resources::kPods, ns_, o);
  };
  const std::vector<std::pair<std::shared_ptr<const FieldFilter>, bool>> cases = {
      // The operator's Pod projection (operator/src/common/transform.cc, PodFields).
      {FieldMask::Keeping({{"metadata", "generation"},
                           {"metadata", "labels"},
                           {"metadata", "ownerReferences"},
                           {"metadata", "annotations", "limen.dev/*"},
                           {"spec", "nodeName"},
                           {"status", "phase"}}),
       true},
      // Every decodable field.
      {FieldMask::Keeping({{"metadata", "generateName"},
                           {"metadata", "generation"},
                           {"metadata", "creationTimestamp"},
                           {"metadata", "deletionGracePeriodSeconds"},
                           {"metadata", "labels"},
                           {"metadata", "annotations"},
                           {"metadata", "ownerReferences"},
                           {"metadata", "finalizers"},
                           {"spec", "nodeName"},
                           {"spec", "restartPolicy"},
                           {"spec", "terminationGracePeriodSeconds"},
                           {"spec", "activeDeadlineSeconds"},
                           {"spec", "dnsPolicy"},
                           {"spec", "nodeSelector"},
                           {"spec", "serviceAccountName"},
                           {"spec", "serviceAccount"},
                           {"spec", "hostNetwork"},
                           {"spec", "hostname"},
                           {"spec", "subdomain"},
                           {"spec", "schedulerName"},
                           {"spec", "priority"},
                           {"spec", "priorityClassName"},
                           {"status", "phase"},
                           {"status", "message"},
                           {"status", "reason"},
                           {"status", "observedGeneration"},
                           {"status", "podIP"},
                           {"status", "hostIP"},
                           {"status", "startTime"},
                           {"status", "qosClass"},
                           {"status", "nominatedNodeName"},
                           {"status", "containerStatuses", "name"},
                           {"status", "containerStatuses", "ready"},
                           {"status", "containerStatuses", "restartCount"},
                           {"status", "containerStatuses", "image"},
                           {"status", "containerStatuses", "imageID"},
                           {"status", "containerStatuses", "containerID"},
                           {"status", "containerStatuses", "started"}}),
       true},
      // spec.containers does not decode from protobuf: the list comes as JSON.
      {FieldMask::Keeping({{"spec", "containers"}}), false},
      {nullptr, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto json = list(cases[i].first, false);
    const auto pb = list(cases[i].first, true);
    ASSERT_TRUE(json.ok() && pb.ok()) << i;
    EXPECT_FALSE(json->protobuf) << i;
    EXPECT_EQ(pb->protobuf, cases[i].second) << i;
    EXPECT_EQ(pb->resource_version, json->resource_version) << i;
    ASSERT_EQ(pb->items.size(), 3u) << i;
    for (size_t k = 0; k < pb->items.size(); ++k) {
      EXPECT_TRUE(testing::SameJson(pb->items[k], json->items[k]))
          << i << "\nprotobuf: " << pb->items[k].dump() << "\njson:     " << json->items[k].dump();
    }
  }
  // The decodable fields were there to compare.
  const auto all = list(cases[1].first, true);
  ASSERT_TRUE(all.ok());
  const Object& deleting = all->items[0];  // items come sorted by name
  EXPECT_TRUE(deleting["metadata"].contains("deletionTimestamp")) << deleting.dump();
  EXPECT_EQ(deleting["metadata"]["deletionGracePeriodSeconds"], 0);
  EXPECT_EQ(all->items[2]["status"]["containerStatuses"][0]["restartCount"], 2);

  // An error comes as a protobuf Status: decoded like the JSON one.
  ListOptions bad;
  bad.label_selector = "a b ==";
  const auto json_error = client_->List(resources::kPods, ns_, bad);
  bad.protobuf = true;
  bad.field_filter = cases[0].first;
  const auto pb_error = client_->List(resources::kPods, ns_, bad);
  ASSERT_FALSE(json_error.ok());
  ASSERT_FALSE(pb_error.ok());
  EXPECT_EQ(pb_error.error().code, 400);
  EXPECT_EQ(pb_error.error().reason, json_error.error().reason);
  EXPECT_EQ(pb_error.error().message, json_error.error().message);

  JsonPatchAway(resources::kPods, "deleting", "/metadata/finalizers");
}

TEST_F(HttpClientIntegrationTest, DeletePreconditions) {
  const Object cm = MustCreate(resources::kConfigMaps, ConfigMap("a"));
  DeleteOptions stale;
  stale.precondition_uid = "00000000-0000-0000-0000-000000000000";
  auto r = client_->Delete(resources::kConfigMaps, ns_, "a", stale);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 409);
  EXPECT_TRUE(r.error().IsConflict());
  EXPECT_NE(r.error().message.find("the UID in the precondition"), std::string::npos)
      << r.error().message;

  DeleteOptions right;
  right.precondition_uid = cm["metadata"]["uid"];
  right.precondition_resource_version = cm["metadata"]["resourceVersion"];
  right.propagation_policy = "Background";
  right.grace_period_seconds = 0;
  auto ok = client_->Delete(resources::kConfigMaps, ns_, "a", right);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_TRUE(client_->Get(resources::kConfigMaps, ns_, "a").error().IsNotFound());
}

TEST_F(HttpClientIntegrationTest, WatchSeesAddModifyDeleteAndBookmark) {
  auto list = client_->List(resources::kConfigMaps, ns_);
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  WatchOptions opts;
  opts.resource_version = list->resource_version;
  opts.timeout_seconds = 6;  // the apiserver sends a bookmark ~2 s before the timeout
  auto stream = client_->Watch(resources::kConfigMaps, ns_, opts);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();

  Object cm = MustCreate(resources::kConfigMaps, ConfigMap("w", {{"k", "1"}}));
  cm["data"]["k"] = "2";
  ASSERT_TRUE(client_->Update(resources::kConfigMaps, ns_, cm).ok());
  ASSERT_TRUE(client_->Delete(resources::kConfigMaps, ns_, "w").ok());

  std::vector<WatchEvent::Type> types;
  std::string bookmark_rv;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto e = (*stream)->Next();
    ASSERT_TRUE(e.ok()) << e.error().ToString();
    if (!e->has_value()) break;  // the server-side timeout ended the stream cleanly
    const bool bookmark = (*e)->type == WatchEvent::Type::kBookmark;
    // kube-controller-manager publishes kube-root-ca.crt into every new namespace, possibly
    // after the List above: not this test's object.
    if (!bookmark && (*e)->object["metadata"].value("name", "") != "w") continue;
    types.push_back((*e)->type);
    if (bookmark) bookmark_rv = (*e)->object["metadata"].value("resourceVersion", "");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types[0], WatchEvent::Type::kAdded);
  EXPECT_EQ(types[1], WatchEvent::Type::kModified);
  EXPECT_EQ(types[2], WatchEvent::Type::kDeleted);
  EXPECT_EQ(types.back(), WatchEvent::Type::kBookmark);
  EXPECT_FALSE(bookmark_rv.empty());
}

TEST_F(HttpClientIntegrationTest, WatchCancelFromAnotherThread) {
  auto stream = client_->Watch(resources::kConfigMaps, ns_, {});
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  WatchStream* s = stream->get();
  std::thread canceller([s] {
    std::this_thread::sleep_for(300ms);
    s->Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  // Without a resourceVersion the watch starts with ADDED events for what exists (the
  // namespace's kube-root-ca.crt) and maybe a bookmark; after Cancel() it ends promptly.
  for (;;) {
    auto e = s->Next();
    ASSERT_TRUE(e.ok()) << e.error().ToString();
    if (!e->has_value()) break;
  }
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(HttpClientIntegrationTest, Discovery) {
  Discovery discovery(*client_);
  auto lease = discovery.Resolve("coordination.k8s.io/v1", "Lease");
  ASSERT_TRUE(lease.ok()) << lease.error().ToString();
  EXPECT_EQ(*lease, resources::kLeases);
  auto ns = discovery.Resolve("v1", "Namespace");
  ASSERT_TRUE(ns.ok()) << ns.error().ToString();
  EXPECT_EQ(*ns, resources::kNamespaces);

  auto unknown = discovery.Resolve("v1", "Gizmo");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().IsNotFound());
  EXPECT_EQ(unknown.error().message, "no resource of kind \"Gizmo\" in apiVersion \"v1\"");
  auto no_group = discovery.Resolve("gizmos.example.com/v1", "Gizmo");
  ASSERT_FALSE(no_group.ok());
  EXPECT_TRUE(no_group.error().IsNotFound());
  EXPECT_NE(no_group.error().message.find("is not served"), std::string::npos);

  auto version = client_->GetPath("/version");
  ASSERT_TRUE(version.ok()) << version.error().ToString();
  EXPECT_EQ(version->value("major", ""), "1");
}

// The *-data forms (certificates in memory, not files) against the real TLS endpoint, and
// that verification is on unless the kubeconfig turns it off.
TEST_F(HttpClientIntegrationTest, KubeconfigInlineDataAndTlsVerification) {
  auto env = limen::testing::LoadClusterEnv();
  ASSERT_TRUE(env.ok());
  auto read = [](const std::string& path) {
    auto text = ReadFileToString(path);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : std::string();
  };
  const std::string user = "users:\n- name: u\n  user:\n    client-certificate-data: " +
                           kube::Base64Encode(read(env->client_cert)) +
                           "\n    client-key-data: " + kube::Base64Encode(read(env->client_key)) +
                           "\n";
  const std::string contexts =
      "contexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\n";
  auto connect = [&](const std::string& cluster_fields) -> ApiResult<Object> {
    auto config = ParseKubeconfig("clusters:\n- name: k\n  cluster:\n    server: " + env->server +
                                      "\n" + cluster_fields + user + contexts,
                                  "/inline/kubeconfig");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return ApiError::Transport("Test", "bad config");
    HttpClientOptions options;
    options.retry.max_attempts = 1;
    auto client = HttpClient::Create(*config, options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (!client.ok()) return ApiError::Transport("Test", "no client");
    return (*client)->Get(resources::kNamespaces, "", ns_);
  };

  auto with_ca =
      connect("    certificate-authority-data: " + kube::Base64Encode(read(env->ca_file)) + "\n");
  ASSERT_TRUE(with_ca.ok()) << with_ca.error().ToString();
  EXPECT_EQ((*with_ca)["metadata"]["name"], ns_);

  auto insecure = connect("    insecure-skip-tls-verify: true\n");
  ASSERT_TRUE(insecure.ok()) << insecure.error().ToString();

  auto unverified = connect("");  // the cluster's CA is not among the system's roots
  ASSERT_FALSE(unverified.ok());
  EXPECT_EQ(unverified.error().code, 0) << unverified.error().ToString();

  // A configuration naming a CA trusts only that CA, as client-go's does — not the system's
  // roots as well. Here the "system roots" (SSL_CERT_FILE) are the cluster's CA: without a
  // CA in the kubeconfig they verify the apiserver; with another CA named, they must not.
  const std::string dir = ::testing::TempDir() + "other-ca";
  ASSERT_EQ(std::system(("mkdir -p " + dir +  // NOLINT(concurrency-mt-unsafe): test setup
                         " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
                         " -nodes -days 1 -subj /CN=other-ca -keyout " +
                         dir + "/ca.key -out " + dir + "/ca.crt 2>/dev/null")
                            .c_str()),
            0);
  ::setenv("SSL_CERT_FILE", env->ca_file.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  auto system_roots = connect("");
  auto other_ca = connect(
      "    certificate-authority-data: " + kube::Base64Encode(read(dir + "/ca.crt")) + "\n");
  ::unsetenv("SSL_CERT_FILE");  // NOLINT(concurrency-mt-unsafe)
  EXPECT_TRUE(system_roots.ok()) << system_roots.error().ToString();
  ASSERT_FALSE(other_ca.ok());
  EXPECT_EQ(other_ca.error().code, 0) << other_ca.error().ToString();
}

Object Crd(const std::string& group, const std::string& kind, const std::string& plural) {
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + "." + group}}},
          {"spec",
           {{"group", group},
            {"scope", "Namespaced"},
            {"names", {{"plural", plural}, {"kind", kind}}},
            {"versions",
             {{{"name", "v1"},
               {"served", true},
               {"storage", true},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}};
}

// A kind missing from a cached discovery document is looked up again: a CRD installed after
// the first lookup of its group is found without restarting anything.
TEST_F(HttpClientIntegrationTest, DiscoveryFindsNewlyInstalledCrds) {
  const Resource crds{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                      "CustomResourceDefinition", false};
  const std::string group = ns_ + ".test.limen.dev";
  const std::string api_version = group + "/v1";
  Discovery discovery(*client_);
  auto before = discovery.Resolve(api_version, "Widget");
  ASSERT_FALSE(before.ok());
  EXPECT_TRUE(before.error().IsNotFound());

  auto resolve_eventually = [&](const std::string& kind) -> ApiResult<Resource> {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      auto r = discovery.Resolve(api_version, kind);
      if (r.ok() || std::chrono::steady_clock::now() > deadline) return r;
      std::this_thread::sleep_for(200ms);
    }
  };
  ASSERT_TRUE(client_->Create(crds, "", Crd(group, "Widget", "widgets")).ok());
  auto widget = resolve_eventually("Widget");
  ASSERT_TRUE(widget.ok()) << widget.error().ToString();
  EXPECT_EQ(widget->resource, "widgets");
  EXPECT_TRUE(widget->namespaced);

  ASSERT_TRUE(client_->Create(crds, "", Crd(group, "Gadget", "gadgets")).ok());
  auto gadget = resolve_eventually("Gadget");  // the group's document is cached: a miss
  ASSERT_TRUE(gadget.ok()) << gadget.error().ToString();
  EXPECT_EQ(gadget->resource, "gadgets");

  (void)client_->Delete(crds, "", "widgets." + group);
  (void)client_->Delete(crds, "", "gadgets." + group);
}

}  // namespace
}  // namespace limen::kube
