// ResiliencePolicyReconciler with a ReachCounter, lib/envoy's real renderer and FakeClient as
// the apiserver: matchedWorkloads/injectedPods come from the counter, counted against the hash
// the status names; the rendered ConfigMap's annotation equals status.renderedConfig.hash;
// a reconcile that finds nothing changed writes nothing.
#include "limen/reconcilers/resiliencepolicy/reconciler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "fake_client.h"
#include "limen/envoy/render.h"

namespace limen::reconcilers::resiliencepolicy {
namespace {

using api::Json;
using kube::testing::FakeClient;

class FixedReach final : public ReachCounter {
 public:
  Reach Count(const api::ResiliencePolicy& policy, const std::string& hash) const override {
    std::lock_guard lock(mu_);
    last_policy_ = policy.metadata.name;
    last_hash_ = hash;
    return reach;
  }
  std::string last_hash() const {
    std::lock_guard lock(mu_);
    return last_hash_;
  }
  Reach reach;

 private:
  mutable std::mutex mu_;
  mutable std::string last_policy_, last_hash_;
};

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest()
      : renderer_(envoy::RenderConfig{}),
        recorder_(client_, kube::EventRecorderOptions{}),
        reconciler_(client_, policies_, filters_, config_maps_, renderer_, recorder_, clock_,
                    Config{}, &reach_) {}

  void SetUp() override {
    auto p = client_.Create(
        kResiliencePolicies, "shop",
        {{"apiVersion", "limen.dev/v1alpha1"},
         {"kind", "ResiliencePolicy"},
         {"metadata", {{"name", "checkout"}, {"namespace", "shop"}, {"generation", 1}}},
         {"spec",
          {{"selector", {{"matchLabels", {{"app", "web"}}}}},
           {"upstreams", {{{"name", "pay"}, {"host", "pay.shop"}, {"port", 80}}}}}}});
    ASSERT_TRUE(p.ok()) << p.error().ToString();
    policies_.Upsert("shop/checkout", std::make_shared<const Json>(*p));
  }
  void TearDown() override { recorder_.Shutdown(); }

  // Reconciles and lets the caches see what was written (as the informers would).
  Json Reconcile() {
    auto outcome = reconciler_.Reconcile("shop/checkout");
    EXPECT_TRUE(outcome.ok()) << outcome.error().ToString();
    for (const Json& cm : client_.Objects(kube::resources::kConfigMaps)) {
      config_maps_.Upsert(kube::ObjectKey(cm), std::make_shared<const Json>(cm));
    }
    auto got = client_.Get(kResiliencePolicies, "shop", "checkout");
    EXPECT_TRUE(got.ok());
    policies_.Upsert("shop/checkout", std::make_shared<const Json>(*got));
    return *got;
  }

  FakeClient client_;
  kube::FakeClock clock_;
  kube::Store policies_, filters_, config_maps_;
  envoy::EnvoyConfigRenderer renderer_;
  kube::EventRecorder recorder_;
  FixedReach reach_;
  ResiliencePolicyReconciler reconciler_;
};

TEST_F(ReconcilerTest, StatusCarriesTheReachCountedAgainstTheRenderedHash) {
  reach_.reach = {3, 2};
  const Json policy = Reconcile();
  const std::string hash = policy.value("/status/renderedConfig/hash"_json_pointer, "");
  ASSERT_FALSE(hash.empty()) << policy["status"].dump();
  EXPECT_EQ(reach_.last_hash(), hash);
  EXPECT_EQ(policy["status"]["matchedWorkloads"], 3);
  EXPECT_EQ(policy["status"]["injectedPods"], 2);
  EXPECT_EQ(policy["status"]["observedGeneration"], 1);
  EXPECT_EQ(policy["status"]["renderedConfig"]["name"], "limen-checkout-sidecar");
  auto cm = client_.Get(kube::resources::kConfigMaps, "shop", "limen-checkout-sidecar");
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->value("/metadata/annotations/limen.dev~1config-hash"_json_pointer, ""), hash);

  // Nothing changed: nothing is written. The reach changes: only the status is.
  const int updates = client_.CallCount("update");
  Reconcile();
  EXPECT_EQ(client_.CallCount("update"), updates);
  reach_.reach = {3, 3};
  EXPECT_EQ(Reconcile()["status"]["injectedPods"], 3);
  EXPECT_EQ(client_.CallCount("update"), updates + 1);
  EXPECT_EQ(client_.Objects(kube::resources::kConfigMaps).size(), 1u);
}

}  // namespace
}  // namespace limen::reconcilers::resiliencepolicy
