// The ConfigMap → WasmFilter handler: which filter keys a ConfigMap event enqueues.
#include "limen/reconcilers/wasmfilter/controller.h"

#include <gtest/gtest.h>

#include <set>

namespace limen::reconcilers::wasmfilter {
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

kube::ObjectPtr Filter(const std::string& ns, const std::string& name, const std::string& cm) {
  return Obj({{"metadata", {{"namespace", ns}, {"name", name}}},
              {"spec", {{"source", {{"configMap", {{"name", cm}, {"key", "m.wasm"}}}}}}}});
}

kube::ObjectPtr ConfigMap(const std::string& ns, const std::string& name, const std::string& rv) {
  return Obj({{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", rv}}}});
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

class ConfigMapHandlerTest : public ::testing::Test {
 protected:
  ConfigMapHandlerTest()
      : filters_(FilterIndexers()),
        controller_(Options("wasmfilter-test"), reconciler_, registry_) {
    for (const auto& f : {Filter("shop", "a", "mods"), Filter("shop", "b", "mods"),
                          Filter("shop", "c", "other"), Filter("web", "d", "mods"),
                          Obj({{"metadata", {{"namespace", "shop"}, {"name", "img"}}},
                               {"spec", {{"source", {{"image", {{"reference", "mods"}}}}}}}})}) {
      filters_.Upsert(kube::ObjectKey(*f), f);
    }
    handler_ = ConfigMapHandler(filters_, controller_);
  }

  NoopReconciler reconciler_;
  prometheus::Registry registry_;
  kube::Store filters_;
  kube::Controller controller_;
  std::shared_ptr<kube::ResourceEventHandler> handler_;
};

TEST_F(ConfigMapHandlerTest, AddEnqueuesReferencingFiltersOfItsNamespace) {
  handler_->OnAdd(ConfigMap("shop", "mods", "1"), false);
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/a", "shop/b"}));
  handler_->OnAdd(ConfigMap("shop", "unrelated", "1"), false);
  EXPECT_TRUE(Drain(controller_.queue()).empty());
}

TEST_F(ConfigMapHandlerTest, FollowsAFilterThatSwitchesItsSource) {
  filters_.Upsert("shop/c", Filter("shop", "c", "mods"));
  handler_->OnAdd(ConfigMap("shop", "other", "4"), false);
  EXPECT_TRUE(Drain(controller_.queue()).empty());
  handler_->OnAdd(ConfigMap("shop", "mods", "4"), false);
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/a", "shop/b", "shop/c"}));
}

TEST_F(ConfigMapHandlerTest, UpdateEnqueuesOnlyWhenTheObjectChanged) {
  handler_->OnUpdate(ConfigMap("web", "mods", "1"), ConfigMap("web", "mods", "2"));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"web/d"}));
  handler_->OnUpdate(ConfigMap("web", "mods", "2"), ConfigMap("web", "mods", "2"));
  EXPECT_TRUE(Drain(controller_.queue()).empty());
}

TEST_F(ConfigMapHandlerTest, DeleteAndTombstoneEnqueue) {
  handler_->OnDelete(kube::DeletedObject(ConfigMap("shop", "other", "3")));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/c"}));
  handler_->OnDelete(kube::DeletedObject(
      kube::DeletedFinalStateUnknown{"shop/mods", ConfigMap("shop", "mods", "3")}));
  EXPECT_EQ(Drain(controller_.queue()), (std::set<std::string>{"shop/a", "shop/b"}));
}

}  // namespace
}  // namespace limen::reconcilers::wasmfilter
