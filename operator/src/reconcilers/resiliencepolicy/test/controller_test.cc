// The ResiliencePolicy controller's handlers: which policy keys WasmFilter and ConfigMap
// events enqueue.
#include "limen/reconcilers/resiliencepolicy/controller.h"

#include <gtest/gtest.h>

#include <set>

namespace limen::reconcilers::resiliencepolicy {
namespace {

using api::Json;

class NoopReconciler final : public kube::Reconciler {
 public:
  kube::Outcome Reconcile(const std::string&) override { return kube::Result{}; }
};

kube::ControllerOptions Options(const std::string& name) {
  kube::ControllerOptions o;
  o.name = name;
  return o;
}

kube::ObjectPtr Obj(Json j) { return std::make_shared<const Json>(std::move(j)); }

kube::ObjectPtr Policy(const std::string& ns, const std::string& name, const std::string& filter) {
  return Obj({{"metadata", {{"namespace", ns}, {"name", name}}},
              {"spec", {{"wasmFilters", Json::array({{{"name", filter}}})}}}});
}

kube::ObjectPtr Meta(const std::string& ns, const std::string& name, const std::string& rv,
                     Json owners = Json::array()) {
  return Obj({{"metadata",
               {{"namespace", ns},
                {"name", name},
                {"resourceVersion", rv},
                {"ownerReferences", std::move(owners)}}}});
}

std::set<std::string> Drain(kube::WorkQueue& q) {
  std::set<std::string> keys;
  while (q.Len() > 0) {
    auto k = q.Get();
    if (!k) break;
    keys.insert(*k);
    q.Done(*k);
  }
  return keys;
}

class HandlersTest : public ::testing::Test {
 protected:
  HandlersTest() : controller_(Options("resiliencepolicy-test"), reconciler_, registry_) {
    for (const auto& p : {Policy("shop", "a", "authz"), Policy("shop", "b", "authz"),
                          Policy("shop", "c", "stats"), Policy("web", "d", "authz")}) {
      policies_.Upsert(kube::ObjectKey(*p), p);
    }
  }

  NoopReconciler reconciler_;
  prometheus::Registry registry_;
  kube::Store policies_;
  kube::Controller controller_;
};

TEST_F(HandlersTest, WasmFilterEventsEnqueueTheReferencingPolicies) {
  auto h = WasmFilterHandler(policies_, controller_);
  h->OnAdd(Meta("shop", "authz", "1"), true);
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/a", "shop/b"}));
  h->OnUpdate(Meta("web", "authz", "1"), Meta("web", "authz", "2"));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"web/d"}));
  h->OnUpdate(Meta("web", "authz", "2"), Meta("web", "authz", "2"));
  EXPECT_TRUE(Drain(controller_.queue()).empty());
  h->OnDelete(kube::DeletedObject(Meta("shop", "stats", "3")));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/c"}));
  h->OnAdd(Meta("shop", "unused", "1"), false);
  EXPECT_TRUE(Drain(controller_.queue()).empty());
}

TEST_F(HandlersTest, OwnedConfigMapEventsEnqueueTheOwner) {
  auto h = OwnedConfigMapHandler(controller_);
  const Json owner = Json::array({{{"apiVersion", "limen.dev/v1alpha1"},
                                   {"kind", "ResiliencePolicy"},
                                   {"name", "checkout"},
                                   {"uid", "u"},
                                   {"controller", true}}});
  h->OnUpdate(Meta("shop", "limen-checkout-sidecar", "1", owner),
              Meta("shop", "limen-checkout-sidecar", "2", owner));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/checkout"}));
  h->OnDelete(kube::DeletedObject(kube::DeletedFinalStateUnknown{
      "shop/limen-checkout-sidecar", Meta("shop", "limen-checkout-sidecar", "3", owner)}));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/checkout"}));
  h->OnAdd(Meta("shop", "user-config", "1"), false);
  EXPECT_TRUE(Drain(controller_.queue()).empty());
}

}  // namespace
}  // namespace limen::reconcilers::resiliencepolicy
