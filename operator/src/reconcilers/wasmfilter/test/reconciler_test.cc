// WasmFilterReconciler's reads with a ConfigMap cache that holds only metadata (as
// limen-operator's does): the module is read live, the verdict is remembered per ConfigMap
// resourceVersion and filter generation, and reused only while both are unchanged. With a
// cache that holds contents nothing is read live. FakeClient stands in for the apiserver.
#include "limen/reconcilers/wasmfilter/reconciler.h"
#include "limen/kube/base64.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "fake_client.h"
#include "limen/api/codec.h"
#include "limen/api/conditions.h"

namespace limen::reconcilers::wasmfilter {
namespace {

using api::Json;
using kube::testing::FakeClient;

std::string ReadSample(const std::string& name) {
  std::ifstream in(std::string(LIMEN_WASM_SAMPLES_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name << " was not built";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What limen-operator's ConfigMap cache holds: identity and version, no contents.
kube::ObjectPtr MetadataOnly(const Json& cm) {
  Json meta = Json::object();
  for (const char* k : {"name", "namespace", "uid", "resourceVersion"}) meta[k] = cm["metadata"][k];
  return std::make_shared<const Json>(
      Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta}});
}

std::string ValidatedOf(const Json& filter) {
  for (const auto& c : filter.value("/status/conditions"_json_pointer, Json::array())) {
    if (c.value("type", "") == "Validated")
      return c.value("status", "") + "/" + c.value("reason", "");
  }
  return "";
}

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest()
      : recorder_(client_, kube::EventRecorderOptions{}),
        reconciler_(client_, filters_, config_maps_, recorder_, clock_, Config{}) {}

  void SetUp() override {
    sample_ = ReadSample("c-proxy-wasm.wasm");
    auto cm =
        client_.Create(kube::resources::kConfigMaps, "shop",
                       {{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", {{"name", "mods"}, {"namespace", "shop"}, {"uid", "cm1"}}},
                        {"binaryData", {{"filter.wasm", kube::Base64Encode(sample_)}}}});
    ASSERT_TRUE(cm.ok()) << cm.error().ToString();
    config_map_ = *cm;
    config_maps_.Upsert("shop/mods", MetadataOnly(config_map_));
    auto f = client_.Create(
        kWasmFilters, "shop",
        {{"apiVersion", "limen.dev/v1alpha1"},
         {"kind", "WasmFilter"},
         {"metadata", {{"name", "authz"}, {"namespace", "shop"}, {"uid", "f1"}, {"generation", 1}}},
         {"spec",
          {{"source", {{"configMap", {{"name", "mods"}, {"key", "filter.wasm"}}}}},
           {"abi", "proxy-wasm"}}}});
    ASSERT_TRUE(f.ok()) << f.error().ToString();
    Echo(*f);
  }
  void TearDown() override { recorder_.Shutdown(); }

  // What the informer does after a write: the cache sees the new object.
  void Echo(const Json& filter) {
    filters_.Upsert("shop/authz", std::make_shared<const Json>(filter));
  }
  Json Reconcile() {
    auto outcome = reconciler_.Reconcile("shop/authz");
    EXPECT_TRUE(outcome.ok()) << outcome.error().ToString();
    auto got = client_.Get(kWasmFilters, "shop", "authz");
    EXPECT_TRUE(got.ok());
    Echo(*got);
    return *got;
  }
  void ChangeConfigMap(const std::string& bytes) {
    Json cm = config_map_;
    cm["binaryData"]["filter.wasm"] = kube::Base64Encode(bytes);
    auto updated = client_.Update(kube::resources::kConfigMaps, "shop", cm);
    ASSERT_TRUE(updated.ok()) << updated.error().ToString();
    config_map_ = *updated;
    config_maps_.Upsert("shop/mods", MetadataOnly(config_map_));
  }

  FakeClient client_;
  kube::FakeClock clock_;
  kube::Store filters_;
  kube::Store config_maps_;
  kube::EventRecorder recorder_;
  WasmFilterReconciler reconciler_;
  std::string sample_;
  Json config_map_;
};

TEST_F(ReconcilerTest, ReadsLiveOnceAndRemembersTheVerdictPerResourceVersion) {
  Json filter = Reconcile();
  EXPECT_EQ(ValidatedOf(filter), "True/Valid");
  EXPECT_EQ(reconciler_.live_reads(), 1);
  const int updates = client_.CallCount("update");

  // The echo of our own status write, and any later look: no read, no write.
  for (int i = 0; i < 3; ++i) Reconcile();
  EXPECT_EQ(reconciler_.live_reads(), 1);
  EXPECT_EQ(client_.CallCount("update"), updates);

  // The ConfigMap's bytes change (a new resourceVersion): read again, verdict flips.
  ChangeConfigMap("garbage, not a module");
  filter = Reconcile();
  EXPECT_EQ(reconciler_.live_reads(), 2);
  EXPECT_EQ(ValidatedOf(filter).rfind("False/", 0), 0u) << filter["status"].dump();
  Reconcile();
  EXPECT_EQ(reconciler_.live_reads(), 2);

  // A spec change (new generation) is decided again even if the ConfigMap did not change.
  ChangeConfigMap(sample_);
  filter = Reconcile();
  EXPECT_EQ(reconciler_.live_reads(), 3);
  filter["metadata"]["generation"] = 2;
  filter["spec"]["abi"] = "wasi";
  auto updated = client_.Update(kWasmFilters, "shop", filter);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  Echo(*updated);
  filter = Reconcile();
  EXPECT_EQ(reconciler_.live_reads(), 4);
  EXPECT_EQ(ValidatedOf(filter), "False/AbiMismatch") << filter["status"].dump();
}

TEST_F(ReconcilerTest, ACacheThatLagsIsCheckedLiveAndAMissingConfigMapIsReported) {
  // The cache has not seen the ConfigMap yet: the GET finds it.
  config_maps_.Remove("shop/mods");
  EXPECT_EQ(ValidatedOf(Reconcile()), "True/Valid");
  EXPECT_EQ(reconciler_.live_reads(), 1);

  // Deleted: the cache forgets it, the GET confirms it is gone.
  ASSERT_TRUE(client_.Delete(kube::resources::kConfigMaps, "shop", "mods").ok());
  EXPECT_EQ(ValidatedOf(Reconcile()), "False/ConfigMapNotFound");
  EXPECT_EQ(reconciler_.live_reads(), 2);
}

TEST_F(ReconcilerTest, ACacheWithContentsIsReadWithoutGets) {
  config_maps_.Upsert("shop/mods", std::make_shared<const Json>(config_map_));
  EXPECT_EQ(ValidatedOf(Reconcile()), "True/Valid");
  Reconcile();
  EXPECT_EQ(reconciler_.live_reads(), 0);
  EXPECT_EQ(client_.CallCount("get"), 2);  // only the test's own reads of the filter
}

}  // namespace
}  // namespace limen::reconcilers::wasmfilter
