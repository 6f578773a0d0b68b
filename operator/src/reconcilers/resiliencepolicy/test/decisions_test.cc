// Table tests of the ResiliencePolicy reconciler's pure decisions: gathering WasmFilters,
// failure reasons, the ConfigMap plan (also on lib/envoy's real output), status building,
// transition Events and the key mappings of the handlers.
#include "limen/reconcilers/resiliencepolicy/decisions.h"

#include <gtest/gtest.h>

#include <memory>

#include "limen/envoy/render.h"

namespace limen::reconcilers::resiliencepolicy {
namespace {

using api::Json;

const api::Time kT0 = api::Time{} + std::chrono::seconds(1'700'000'000);
const api::Time kT1 = kT0 + std::chrono::minutes(5);

kube::ObjectPtr Obj(Json j) { return std::make_shared<const Json>(std::move(j)); }

Json FilterJson(const std::string& ns, const std::string& name, const std::string& validated,
                const std::string& reason = "Valid", const std::string& message = "") {
  Json f = {{"apiVersion", "limen.dev/v1alpha1"},
            {"kind", "WasmFilter"},
            {"metadata", {{"namespace", ns}, {"name", name}, {"generation", 1}}},
            {"spec", {{"source", {{"configMap", {{"name", "m"}, {"key", "k"}}}}}}}};
  if (!validated.empty()) {
    f["status"] = {{"observedGeneration", 1},
                   {"sha256", std::string(64, 'a')},
                   {"abi", "proxy-wasm"},
                   {"conditions",
                    {{{"type", "Validated"},
                      {"status", validated},
                      {"observedGeneration", 1},
                      {"lastTransitionTime", "2025-01-01T00:00:00Z"},
                      {"reason", reason},
                      {"message", message}}}}};
  }
  return f;
}

api::ResiliencePolicy Policy(std::vector<std::string> filters) {
  api::ResiliencePolicy p;
  p.api_version = "limen.dev/v1alpha1";
  p.kind = "ResiliencePolicy";
  p.metadata.name = "checkout";
  p.metadata.namespace_ = "shop";
  p.metadata.uid = "uid-1";
  p.metadata.generation = 2;
  for (auto& f : filters) p.spec.wasm_filters.push_back({std::move(f), std::nullopt, {}});
  return p;
}

TEST(GatherFilters, Table) {
  const std::vector<kube::ObjectPtr> filters = {
      Obj(FilterJson("shop", "authz", "True")),
      Obj(FilterJson("shop", "stats", "False", "InvalidModule", "section code at offset 0x40")),
      Obj(FilterJson("shop", "fresh", "")),
      Obj(FilterJson("web", "other", "True")),
      nullptr,
  };
  struct Case {
    std::vector<std::string> refs;
    StatusCode code;
    std::string message_has;
    size_t count;
  };
  const Case cases[] = {
      {{}, StatusCode::kOk, "", 0},
      {{"authz"}, StatusCode::kOk, "", 1},
      {{"authz", "authz"}, StatusCode::kOk, "", 1},
      {{"missing"},
       StatusCode::kNotFound,
       "spec.wasmFilters[0] (missing): WasmFilter shop/missing not found",
       0},
      {{"authz", "other"}, StatusCode::kNotFound, "spec.wasmFilters[1] (other)", 0},
      {{"stats"},
       StatusCode::kFailedPrecondition,
       "WasmFilter shop/stats is not validated: Validated is False (InvalidModule: section code "
       "at offset 0x40)",
       0},
      {{"fresh"}, StatusCode::kFailedPrecondition, "no Validated condition yet", 0},
  };
  for (const Case& c : cases) {
    auto got = GatherFilters(Policy(c.refs), filters);
    EXPECT_EQ(got.status().code(), c.code)
        << ::testing::PrintToString(c.refs) << " " << got.status().ToString();
    if (got.ok()) {
      EXPECT_EQ(got->size(), c.count);
    } else {
      EXPECT_NE(got.status().message().find(c.message_has), std::string::npos)
          << got.status().message();
    }
  }
}

TEST(ReasonFor, Table) {
  EXPECT_EQ(ReasonFor(Status::NotFound("x")), kReasonWasmFilterNotFound);
  EXPECT_EQ(ReasonFor(Status::FailedPrecondition("x")), kReasonWasmFilterNotValidated);
  EXPECT_EQ(ReasonFor(Status::InvalidArgument("x")), kReasonInvalidSpec);
  EXPECT_EQ(ReasonFor(Status::Internal("x")), kReasonRenderFailed);
}

Json Desired(const std::string& hash, const std::string& body) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", "limen-checkout-sidecar"},
            {"namespace", "shop"},
            {"labels", {{"app.kubernetes.io/managed-by", "limen"}}},
            {"annotations", {{"limen.dev/config-hash", hash}}},
            {"ownerReferences",
             {{{"apiVersion", "limen.dev/v1alpha1"},
               {"kind", "ResiliencePolicy"},
               {"name", "checkout"},
               {"uid", "uid-1"},
               {"controller", true},
               {"blockOwnerDeletion", true}}}}}},
          {"data", {{"envoy.json", body}}}};
}

// What the apiserver returns for `desired` once stored, plus someone's extra label.
Json Stored(Json desired) {
  desired["metadata"]["resourceVersion"] = "42";
  desired["metadata"]["uid"] = "cm-uid";
  desired["metadata"]["labels"]["team"] = "payments";
  return desired;
}

TEST(PlanConfigMap, Table) {
  using A = ConfigMapPlan::Action;
  const Json want = Desired("h2", "{\"v\":2}");
  Json foreign = Stored(want);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "someone-else";
  Json not_controller = Stored(want);
  not_controller["metadata"]["ownerReferences"][0]["controller"] = false;
  Json with_binary = Stored(want);
  with_binary["binaryData"] = {{"x", "AA=="}};
  Json label_removed = Stored(want);
  label_removed["metadata"]["labels"].erase("app.kubernetes.io/managed-by");

  struct Case {
    std::string name;
    std::optional<Json> existing;
    A action;
  };
  const Case cases[] = {
      {"absent", std::nullopt, A::kCreate},
      {"same content", Stored(want), A::kNone},
      {"old content", Stored(Desired("h1", "{\"v\":1}")), A::kUpdate},
      {"binaryData added by someone", with_binary, A::kUpdate},
      {"managed-by label removed", label_removed, A::kUpdate},
      {"owned by another object", foreign, A::kConflict},
      {"owner is not the controller", not_controller, A::kConflict},
  };
  for (const Case& c : cases) {
    const ConfigMapPlan plan = PlanConfigMap(c.existing ? &*c.existing : nullptr, want, "uid-1");
    EXPECT_EQ(plan.action, c.action) << c.name;
    if (plan.action == A::kCreate) {
      EXPECT_EQ(plan.object, want);
    }
    if (plan.action == A::kUpdate) {
      EXPECT_EQ(plan.object["data"], want["data"]) << c.name;
      EXPECT_FALSE(plan.object.contains("binaryData")) << c.name;
      EXPECT_EQ(plan.object["metadata"]["resourceVersion"], "42") << c.name;
      EXPECT_EQ(plan.object["metadata"]["labels"]["team"], "payments") << c.name;
      EXPECT_EQ(plan.object["metadata"]["labels"]["app.kubernetes.io/managed-by"], "limen");
      EXPECT_EQ(plan.object["metadata"]["annotations"]["limen.dev/config-hash"], "h2");
      // After the update the plan is satisfied.
      EXPECT_EQ(PlanConfigMap(&plan.object, want, "uid-1").action, A::kNone) << c.name;
    }
    if (plan.action == A::kConflict) {
      EXPECT_NE(plan.message.find("is not controlled by this ResiliencePolicy"), std::string::npos);
    }
  }
}

TEST(PlanConfigMap, OnTheRendererOutput) {
  const envoy::EnvoyConfigRenderer renderer(envoy::RenderConfig{});
  api::ResiliencePolicy p = Policy({});
  p.spec.upstreams.push_back({"payments", "payments.shop.svc", 8080, {}});
  auto r1 = renderer.Render(p, {}, {8080});
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  auto cm1 = renderer.RenderConfigMap(p, *r1);
  ASSERT_TRUE(cm1.ok()) << cm1.status().ToString();
  EXPECT_EQ(PlanConfigMap(nullptr, *cm1, "uid-1").action, ConfigMapPlan::Action::kCreate);
  const Json stored = Stored(*cm1);
  EXPECT_EQ(PlanConfigMap(&stored, *cm1, "uid-1").action, ConfigMapPlan::Action::kNone);

  p.spec.timeout = "3s";
  auto r2 = renderer.Render(p, {}, {8080});
  ASSERT_TRUE(r2.ok());
  EXPECT_NE(r2->hash, r1->hash);
  auto cm2 = renderer.RenderConfigMap(p, *r2);
  ASSERT_TRUE(cm2.ok());
  EXPECT_EQ(PlanConfigMap(&stored, *cm2, "uid-1").action, ConfigMapPlan::Action::kUpdate);
}

RenderOutcome Rendered(const std::string& hash) {
  RenderOutcome o;
  o.rendered = true;
  o.reason = std::string(kReasonRendered);
  o.message = "hash " + hash;
  o.config = {"limen-checkout-sidecar", hash, {}};
  return o;
}

RenderOutcome Failed(std::string_view reason, const std::string& message) {
  RenderOutcome o;
  o.reason = std::string(reason);
  o.message = message;
  return o;
}

TEST(BuildStatus, RenderedThenFailedKeepsTheRenderedConfig) {
  api::ResiliencePolicyStatus prev;
  prev.matched_workloads = 3;
  const api::ResiliencePolicyStatus ok = BuildStatus(prev, Rendered("abc"), 2, kT0);
  EXPECT_EQ(ok.observed_generation, 2);
  EXPECT_EQ(ok.matched_workloads, 3);
  EXPECT_EQ(ok.rendered_config.name, "limen-checkout-sidecar");
  EXPECT_EQ(ok.rendered_config.hash, "abc");
  ASSERT_EQ(ok.conditions.size(), 1u);
  EXPECT_EQ(ok.conditions[0].type, "Ready");
  EXPECT_EQ(ok.conditions[0].status, "True");
  EXPECT_EQ(ok.conditions[0].observed_generation, 2);

  // Restating the same outcome later changes nothing (so nothing is written).
  auto stored = api::Decode<api::ResiliencePolicyStatus>(api::Encode(ok));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(api::Encode(BuildStatus(*stored, Rendered("abc"), 2, kT1)), api::Encode(ok));

  const api::ResiliencePolicyStatus bad = BuildStatus(
      *stored, Failed(kReasonWasmFilterNotFound, "spec.wasmFilters[0] (x): gone"), 3, kT1);
  EXPECT_EQ(bad.rendered_config.hash, "abc") << "the ConfigMap is left as it was";
  EXPECT_EQ(bad.observed_generation, 3);
  EXPECT_EQ(bad.conditions[0].status, "False");
  EXPECT_EQ(bad.conditions[0].reason, "WasmFilterNotFound");
  EXPECT_EQ(bad.conditions[0].message, "spec.wasmFilters[0] (x): gone");
  EXPECT_EQ(bad.conditions[0].last_transition_time, api::TruncateToSeconds(kT1));
}

TEST(BuildStatus, NeverRenderedHasNoRenderedConfig) {
  const Json j =
      api::Encode(BuildStatus({}, Failed(kReasonInvalidSpec, "spec.timeout: bad"), 1, kT0));
  EXPECT_FALSE(j.contains("renderedConfig")) << j.dump();
  EXPECT_EQ(j["conditions"][0]["reason"], "InvalidSpec");
}

TEST(TransitionEvent, Table) {
  const api::ResiliencePolicyStatus none;
  const auto h1 = BuildStatus({}, Rendered("h1"), 1, kT0);
  const auto h2 = BuildStatus(h1, Rendered("h2"), 2, kT1);
  const auto bad = BuildStatus(h2, Failed(kReasonWasmFilterNotFound, "gone"), 3, kT1);

  auto first = TransitionEvent(none, h1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, kube::EventType::kNormal);
  EXPECT_EQ(first->reason, "Rendered");
  EXPECT_EQ(first->note, "hash h1");
  EXPECT_FALSE(TransitionEvent(h1, h1));
  auto rehash = TransitionEvent(h1, h2);
  ASSERT_TRUE(rehash);
  EXPECT_EQ(rehash->reason, "Rendered");
  auto failed = TransitionEvent(h2, bad);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->type, kube::EventType::kWarning);
  EXPECT_EQ(failed->reason, "RenderFailed");
  EXPECT_EQ(failed->note, "WasmFilterNotFound: gone");
  EXPECT_FALSE(TransitionEvent(bad, bad));
  // Still failing for the same reason, in other words: no new Event.
  auto reworded = bad;
  reworded.conditions[0].message = "gone again";
  EXPECT_FALSE(TransitionEvent(bad, reworded));
}

TEST(PoliciesReferencingFilter, Table) {
  auto policy = [](const std::string& ns, const std::string& name, Json refs) {
    return Obj({{"metadata", {{"namespace", ns}, {"name", name}}},
                {"spec", {{"wasmFilters", std::move(refs)}}}});
  };
  const std::vector<kube::ObjectPtr> policies = {
      policy("shop", "b", Json::array({{{"name", "authz"}}, {{"name", "stats"}}})),
      policy("shop", "a", Json::array({{{"name", "authz"}, {"config", {{"x", 1}}}}})),
      policy("shop", "c", Json::array({{{"name", "stats"}}})),
      policy("web", "d", Json::array({{{"name", "authz"}}})),
      policy("shop", "e", "not a list"),
      nullptr,
  };
  EXPECT_EQ(PoliciesReferencingFilter(policies, "shop", "authz"),
            (std::vector<std::string>{"shop/a", "shop/b"}));
  EXPECT_EQ(PoliciesReferencingFilter(policies, "shop", "stats"),
            (std::vector<std::string>{"shop/b", "shop/c"}));
  EXPECT_TRUE(PoliciesReferencingFilter(policies, "web", "stats").empty());
}

TEST(OwnerPolicyKey, Table) {
  const Json owned = Desired("h", "{}");
  EXPECT_EQ(OwnerPolicyKey(owned), "shop/checkout");
  Json not_controller = owned;
  not_controller["metadata"]["ownerReferences"][0]["controller"] = false;
  EXPECT_EQ(OwnerPolicyKey(not_controller), std::nullopt);
  Json other_kind = owned;
  other_kind["metadata"]["ownerReferences"][0]["kind"] = "Deployment";
  other_kind["metadata"]["ownerReferences"][0]["apiVersion"] = "apps/v1";
  EXPECT_EQ(OwnerPolicyKey(other_kind), std::nullopt);
  Json other_group = owned;
  other_group["metadata"]["ownerReferences"][0]["apiVersion"] = "example.com/v1";
  EXPECT_EQ(OwnerPolicyKey(other_group), std::nullopt);
  EXPECT_EQ(OwnerPolicyKey(Json{{"metadata", {{"name", "x"}}}}), std::nullopt);
}

}  // namespace
}  // namespace limen::reconcilers::resiliencepolicy
