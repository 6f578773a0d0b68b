// The ResiliencePolicy controller in-process — next to the real WasmFilter controller that
// validates the module it references — with real informers, kube::HttpClient and lib/envoy's
// renderer, against the fixture control plane (ctest fixture `cluster`):
//   - a policy referencing a validated filter gets limen-<policy>-sidecar (owner-referenced,
//     managed-by, hash annotation = status.renderedConfig.hash); an unrelated change rewrites
//     nothing; a spec change re-renders with a new hash;
//   - a policy referencing a missing filter reports why and gets no ConfigMap, and renders as
//     soon as the filter exists and is validated;
//   - a filter that stops validating makes the policy Rendered=False and leaves its ConfigMap
//     exactly as it was; a deleted ConfigMap is restored;
//   - a ConfigMap of that name that is not the policy's is never overwritten (Rendered=False,
//     ConfigMapConflict), also when the policy controller's cache cannot see it.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <span>

#include <prometheus/registry.h>

#include "cluster.h"
#include "cluster_suite.h"
#include "limen/envoy/render.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/informer.h"
#include "limen/reconcilers/resiliencepolicy/controller.h"
#include "limen/reconcilers/wasmfilter/controller.h"
#include "limen/wasm/validator.h"

namespace limen::reconcilers::resiliencepolicy {
namespace {

using namespace std::chrono_literals;
using kube::Object;
namespace t = limen::reconcilers::testing;
namespace wf = limen::reconcilers::wasmfilter;

constexpr auto kTimeout = 60s;

class ResiliencePolicyIntegrationTest : public t::ClusterSuite {
 protected:
  void SetUp() override {
    ASSERT_NE(client_, nullptr);
    auto ns = t::CreateTestNamespace(*client_, "respol");
    ASSERT_TRUE(ns.ok()) << ns.status().ToString();
    ns_ = *ns;
    policies_ =
        std::make_unique<kube::Informer>(*client_, kResiliencePolicies, t::InNamespace(ns_));
    kube::InformerOptions indexed = t::InNamespace(ns_);
    indexed.indexers = wf::FilterIndexers();
    filters_ = std::make_unique<kube::Informer>(*client_, wf::kWasmFilters, std::move(indexed));
    config_maps_ = std::make_unique<kube::Informer>(*client_, kube::resources::kConfigMaps,
                                                    t::InNamespace(ns_));
    // As limen-operator wires it: the policy controller sees only Limen's ConfigMaps.
    kube::InformerOptions limen_only = t::InNamespace(ns_);
    limen_only.watcher.label_selector = "app.kubernetes.io/managed-by=limen";
    limen_config_maps_ = std::make_unique<kube::Informer>(*client_, kube::resources::kConfigMaps,
                                                          std::move(limen_only));
    recorder_ = std::make_unique<kube::EventRecorder>(*client_,
                                                      t::RecorderOptions("resiliencepolicy-test"));
    auto& clock = kube::RealClock::Instance();
    wasm_ = wf::WasmFilterController::Create(
        wf::Dependencies{*client_, *filters_, *config_maps_, *recorder_, clock, registry_, 1},
        wf::Config{});
    policy_ = ResiliencePolicyController::Create(
        Dependencies{*client_, *policies_, *filters_, *limen_config_maps_, *recorder_, clock,
                     registry_, 2},
        renderer_, Config{});
    for (auto* i : {policies_.get(), filters_.get(), config_maps_.get(), limen_config_maps_.get()})
      i->Run();
    for (auto* i :
         {policies_.get(), filters_.get(), config_maps_.get(), limen_config_maps_.get()}) {
      ASSERT_TRUE(i->WaitForSync(30s));
    }
    wasm_->Start();
    policy_->Start();
  }

  void TearDown() override {
    for (auto* i :
         {policies_.get(), filters_.get(), config_maps_.get(), limen_config_maps_.get()}) {
      if (i != nullptr) i->Stop();
    }
    if (policy_) policy_->Stop();
    if (wasm_) wasm_->Stop();
    if (recorder_) recorder_->Shutdown();
    if (!ns_.empty()) t::DeleteTestNamespace(*client_, ns_);
  }

  void PutModule(const std::string& bytes) {
    Status s = t::PutBinaryConfigMap(*client_, ns_, "modules", "filter.wasm", bytes);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void CreateFilter(const std::string& name) {
    Object f = {{"apiVersion", "limen.dev/v1alpha1"},
                {"kind", "WasmFilter"},
                {"metadata", {{"name", name}, {"namespace", ns_}}},
                {"spec",
                 {{"source", {{"configMap", {{"name", "modules"}, {"key", "filter.wasm"}}}}},
                  {"abi", "proxy-wasm"},
                  {"phase", "AUTHZ"}}}};
    auto r = client_->Create(wf::kWasmFilters, ns_, f);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  void CreatePolicy(const std::string& name, const std::string& filter) {
    Object p = {
        {"apiVersion", "limen.dev/v1alpha1"},
        {"kind", "ResiliencePolicy"},
        {"metadata", {{"name", name}, {"namespace", ns_}}},
        {"spec",
         {{"selector", {{"matchLabels", {{"app", name}}}}},
          {"upstreams",
           Object::array(
               {{{"name", "payments"}, {"host", "payments." + ns_ + ".svc"}, {"port", 8080}}})},
          {"wasmFilters", Object::array({{{"name", filter}}})}}}};
    auto r = client_->Create(kResiliencePolicies, ns_, p);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  // Polls until `done(object)` holds for the named object; returns it ({} on timeout, with a
  // failure showing the last state seen).
  Object WaitFor(const kube::Resource& r, const std::string& name,
                 const std::function<bool(const Object&)>& done) {
    Object last;
    const bool ok = t::Eventually(
        [&] {
          auto got = client_->Get(r, ns_, name);
          if (!got.ok()) return false;
          last = *got;
          return done(last);
        },
        kTimeout);
    EXPECT_TRUE(ok) << r.resource << "/" << name << " never got there; last: " << last.dump();
    return ok ? last : Object::object();
  }

  static const Object* Condition(const Object& obj, const std::string& type) {
    if (!obj.contains("status") || !obj["status"].contains("conditions")) return nullptr;
    for (const auto& c : obj["status"]["conditions"]) {
      if (c.value("type", "") == type) return &c;
    }
    return nullptr;
  }

  Object WaitForRendered(const std::string& policy, const std::string& status,
                         const std::string& reason,
                         const std::function<bool(const Object&)>& also = nullptr) {
    return WaitFor(kResiliencePolicies, policy, [&](const Object& p) {
      const Object* c = Condition(p, "Ready");
      return c != nullptr && c->value("status", "") == status && c->value("reason", "") == reason &&
             c->value("observedGeneration", int64_t{0}) ==
                 p["metadata"].value("generation", int64_t{-1}) &&
             (!also || also(p));
    });
  }

  void WaitForValidated(const std::string& filter, const std::string& status) {
    WaitFor(wf::kWasmFilters, filter, [&](const Object& f) {
      const Object* c = Condition(f, "Validated");
      return c != nullptr && c->value("status", "") == status;
    });
  }

  double Reconciles(const std::string& controller) {
    double total = 0;
    for (const auto& family : registry_.Collect()) {
      if (family.name != "controller_runtime_reconcile_total") continue;
      for (const auto& m : family.metric) {
        for (const auto& l : m.label) {
          if (l.name == "controller" && l.value == controller) total += m.counter.value;
        }
      }
    }
    return total;
  }

  std::string ns_;
  prometheus::Registry registry_;
  const envoy::EnvoyConfigRenderer renderer_{envoy::RenderConfig{}};
  std::unique_ptr<kube::Informer> policies_;
  std::unique_ptr<kube::Informer> filters_;
  std::unique_ptr<kube::Informer> config_maps_;
  std::unique_ptr<kube::Informer> limen_config_maps_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<wf::WasmFilterController> wasm_;
  std::unique_ptr<ResiliencePolicyController> policy_;
};

TEST_F(ResiliencePolicyIntegrationTest, RendersTheSidecarConfigMapAndRerendersOnSpecChange) {
  PutModule(*sample_);
  CreateFilter("authz");
  WaitForValidated("authz", "True");
  CreatePolicy("checkout", "authz");

  Object p = WaitForRendered("checkout", "True", "Rendered");
  ASSERT_FALSE(p.empty());
  const Object& rc = p["status"]["renderedConfig"];
  EXPECT_EQ(rc.value("name", ""), "limen-checkout-sidecar");
  const std::string h1 = rc.value("hash", "");
  ASSERT_EQ(h1.size(), 16u) << rc.dump();

  auto cm = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
  ASSERT_TRUE(cm.ok()) << cm.error().ToString();
  const Object& meta = (*cm)["metadata"];
  EXPECT_EQ(meta["annotations"].value("limen.dev/config-hash", ""), h1);
  EXPECT_EQ(meta["labels"].value("app.kubernetes.io/managed-by", ""), "limen");
  ASSERT_EQ(meta["ownerReferences"].size(), 1u);
  EXPECT_EQ(meta["ownerReferences"][0].value("uid", ""), p["metadata"].value("uid", ""));
  EXPECT_TRUE(meta["ownerReferences"][0].value("controller", false));
  const std::string bootstrap = (*cm)["data"].value("envoy.json", "");
  EXPECT_NE(bootstrap.find("envoy.filters.http.wasm"), std::string::npos);
  const std::string sha = wasm::Sha256Hex(
      std::span(reinterpret_cast<const uint8_t*>(sample_->data()), sample_->size()));
  EXPECT_NE(bootstrap.find(sha), std::string::npos) << "the module's sha256 is in the config";
  const std::string cm_rv = meta.value("resourceVersion", "");

  // An unrelated change (a label on the policy): reconciled, nothing rewritten.
  const double before = Reconciles("resiliencepolicy");
  Object label = {{"metadata", {{"labels", {{"touched", "yes"}}}}}};
  ASSERT_TRUE(
      client_->Patch(kResiliencePolicies, ns_, "checkout", kube::PatchType::kMerge, label).ok());
  ASSERT_TRUE(t::Eventually([&] { return Reconciles("resiliencepolicy") > before; }, kTimeout));
  auto same = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)["metadata"].value("resourceVersion", ""), cm_rv);

  // A spec change re-renders: a new hash in status and annotation.
  Object spec = {{"spec", {{"timeout", "3s"}}}};
  ASSERT_TRUE(
      client_->Patch(kResiliencePolicies, ns_, "checkout", kube::PatchType::kMerge, spec).ok());
  p = WaitForRendered("checkout", "True", "Rendered", [&](const Object& o) {
    return o["status"].value("renderedConfig", Object::object()).value("hash", "") != h1;
  });
  ASSERT_FALSE(p.empty());
  const std::string h2 = p["status"]["renderedConfig"].value("hash", "");
  EXPECT_EQ(p["status"].value("observedGeneration", int64_t{0}), 2);
  auto cm2 = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
  ASSERT_TRUE(cm2.ok());
  EXPECT_EQ((*cm2)["metadata"]["annotations"].value("limen.dev/config-hash", ""), h2);
  EXPECT_NE((*cm2)["data"].value("envoy.json", "").find("\"3s\""), std::string::npos);
}

TEST_F(ResiliencePolicyIntegrationTest, MissingFilterIsReportedWithoutAConfigMapUntilItExists) {
  CreatePolicy("orphan", "nope");
  Object p = WaitForRendered("orphan", "False", "WasmFilterNotFound");
  ASSERT_FALSE(p.empty());
  const Object* c = Condition(p, "Ready");
  EXPECT_NE(c->value("message", "")
                .find("spec.wasmFilters[0] (nope): WasmFilter " + ns_ + "/nope not found"),
            std::string::npos)
      << c->dump();
  EXPECT_FALSE(p["status"].contains("renderedConfig")) << p["status"].dump();
  auto cm = client_->Get(kube::resources::kConfigMaps, ns_, "limen-orphan-sidecar");
  ASSERT_FALSE(cm.ok());
  EXPECT_TRUE(cm.error().IsNotFound());

  // The filter appears (not yet valid: no module), then validates: the policy follows.
  CreateFilter("nope");
  WaitForRendered("orphan", "False", "WasmFilterNotValidated");
  PutModule(*sample_);
  p = WaitForRendered("orphan", "True", "Rendered");
  ASSERT_FALSE(p.empty());
  EXPECT_TRUE(client_->Get(kube::resources::kConfigMaps, ns_, "limen-orphan-sidecar").ok());
}

TEST_F(ResiliencePolicyIntegrationTest,
       UnrenderablePolicyLeavesItsConfigMapAndDeletedOneIsRestored) {
  PutModule(*sample_);
  CreateFilter("authz");
  CreatePolicy("shop", "authz");
  Object p = WaitForRendered("shop", "True", "Rendered");
  ASSERT_FALSE(p.empty());
  const std::string hash = p["status"]["renderedConfig"].value("hash", "");
  auto cm = client_->Get(kube::resources::kConfigMaps, ns_, "limen-shop-sidecar");
  ASSERT_TRUE(cm.ok());
  const std::string rv = (*cm)["metadata"].value("resourceVersion", "");

  // The module breaks: the filter is no longer Validated, the policy cannot be rendered.
  PutModule(sample_->substr(0, 64));
  WaitForValidated("authz", "False");
  p = WaitForRendered("shop", "False", "WasmFilterNotValidated");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(Condition(p, "Ready")->value("message", "").find("InvalidModule"), std::string::npos);
  EXPECT_EQ(p["status"]["renderedConfig"].value("hash", ""), hash);
  auto kept = client_->Get(kube::resources::kConfigMaps, ns_, "limen-shop-sidecar");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ((*kept)["metadata"].value("resourceVersion", ""), rv) << "left exactly as it was";

  // Fixed again; then someone deletes the ConfigMap: it is restored with the same content.
  PutModule(*sample_);
  WaitForRendered("shop", "True", "Rendered");
  ASSERT_TRUE(client_->Delete(kube::resources::kConfigMaps, ns_, "limen-shop-sidecar").ok());
  Object restored =
      WaitFor(kube::resources::kConfigMaps, "limen-shop-sidecar",
              [&](const Object& o) { return o["metadata"].value("resourceVersion", "") != rv; });
  ASSERT_FALSE(restored.empty());
  EXPECT_EQ(restored["metadata"]["annotations"].value("limen.dev/config-hash", ""), hash);
}

TEST_F(ResiliencePolicyIntegrationTest, SomeoneElsesConfigMapIsNeverOverwritten) {
  // Not labelled managed-by=limen, so the policy controller's cache does not even see it: the
  // create fails with AlreadyExists and the live object is what the decision is based on.
  Object foreign = {{"apiVersion", "v1"},
                    {"kind", "ConfigMap"},
                    {"metadata", {{"name", "limen-taken-sidecar"}, {"namespace", ns_}}},
                    {"data", {{"envoy.json", "mine"}}}};
  auto created = client_->Create(kube::resources::kConfigMaps, ns_, foreign);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  PutModule(*sample_);
  CreateFilter("authz");
  CreatePolicy("taken", "authz");
  Object p = WaitForRendered("taken", "False", "ConfigMapConflict");
  ASSERT_FALSE(p.empty());
  EXPECT_NE(Condition(p, "Ready")->value("message", "").find("is not controlled by this"),
            std::string::npos);
  auto still = client_->Get(kube::resources::kConfigMaps, ns_, "limen-taken-sidecar");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ((*still)["data"].value("envoy.json", ""), "mine");
  EXPECT_EQ((*still)["metadata"].value("resourceVersion", ""),
            (*created)["metadata"].value("resourceVersion", ""));
}

}  // namespace
}  // namespace limen::reconcilers::resiliencepolicy
