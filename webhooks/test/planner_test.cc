// Table-style tests of the pure injection planner: every decision branch, the shape of the
// injected Pod, JSON Pointer escaping, older-cluster mode, existing volumes/env, and — for
// every case — idempotence: planning the patched Pod again yields an empty patch.
#include "limen/webhook/planner.h"

#include <gtest/gtest.h>

#include "limen/api/codec.h"
#include "limen/webhook/json_patch.h"

namespace limen::webhook {
namespace {

const char* kImage =
    "registry.example/"
    "envoy@sha256:1111111111111111111111111111111111111111111111111111111111111111";
const char* kPinned =
    "registry.example/"
    "authz@sha256:2222222222222222222222222222222222222222222222222222222222222222";

InjectorConfig TestConfig() {
  InjectorConfig c;
  c.sidecar_image = kImage;
  return c;
}

Json BasePod() {
  return Json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"generateName": "web-", "namespace": "shop",
                 "labels": {"app": "web"}, "annotations": {"team": "a"}},
    "spec": {"containers": [{"name": "app", "image": "app:1"}]}
  })");
}

api::ResiliencePolicy Policy(const std::string& name, const std::string& hash = "abc123",
                             const std::string& extra_spec = "{}") {
  Json j = {
      {"apiVersion", "limen.dev/v1alpha1"},
      {"kind", "ResiliencePolicy"},
      {"metadata", {{"name", name}, {"namespace", "shop"}}},
      {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}},
      {"status", {{"renderedConfig", {{"name", "limen-" + name + "-sidecar"}, {"hash", hash}}}}}};
  j["spec"].update(Json::parse(extra_spec));
  return api::Decode<api::ResiliencePolicy>(j).value();
}

api::WasmFilter Filter(const std::string& name, const std::string& source, bool validated,
                       int64_t generation = 1, int64_t observed = 1) {
  Json condition = {{"type", "Validated"},
                    {"status", validated ? "True" : "False"},
                    {"observedGeneration", observed},
                    {"reason", "x"},
                    {"message", ""},
                    {"lastTransitionTime", "2025-01-01T00:00:00Z"}};
  Json j = {{"apiVersion", "limen.dev/v1alpha1"},
            {"kind", "WasmFilter"},
            {"metadata", {{"name", name}, {"namespace", "shop"}, {"generation", generation}}},
            {"spec", {{"source", Json::parse(source)}, {"sha256", std::string(64, 'a')}}},
            {"status", {{"conditions", Json::array({condition})}}}};
  return api::Decode<api::WasmFilter>(j).value();
}

struct Scenario {
  Json pod = BasePod();
  std::string ns = "shop";
  std::optional<std::map<std::string, std::string>> ns_labels =
      std::map<std::string, std::string>{{"limen.dev/injection", "enabled"}};
  std::vector<api::ResiliencePolicy> policies = {Policy("web")};
  std::vector<api::WasmFilter> filters;
  InjectorConfig config = TestConfig();

  Plan Run(const Json& p) const {
    PlanInput in;
    in.pod = &p;
    in.ns = ns;
    in.namespace_labels = ns_labels;
    in.policies = policies;
    in.filters = filters;
    in.config = &config;
    return PlanInjection(in);
  }
  Plan Run() const { return Run(pod); }
};

// Applies the plan and checks idempotence; returns the patched Pod.
Json ApplyAndCheckIdempotent(const Scenario& s, const Plan& plan) {
  Json patched;
  try {
    patched = s.pod.patch(plan.patch);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "patch does not apply: " << e.what() << "\n" << plan.patch.dump(2);
    return s.pod;
  }
  const Plan again = s.Run(patched);
  EXPECT_TRUE(again.patch.empty()) << "not idempotent: " << again.patch.dump(2);
  return patched;
}

const Json* FindByName(const Json& array, const std::string& name) {
  if (!array.is_array()) return nullptr;
  for (const auto& item : array) {
    if (item.value("name", "") == name) return &item;
  }
  return nullptr;
}

TEST(EscapePointerToken, EscapesTildeThenSlash) {
  EXPECT_EQ(EscapePointerToken("limen.dev/injected"), "limen.dev~1injected");
  EXPECT_EQ(EscapePointerToken("a~b/c"), "a~0b~1c");
  EXPECT_EQ(EscapePointerToken("~1"), "~01");
  EXPECT_EQ(EscapePointerToken(""), "");
}

TEST(Planner, InjectsNativeSidecarVolumesEnvAndAnnotations) {
  Scenario s;
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected) << plan.decision.message;
  EXPECT_EQ(plan.decision.policy, "web");
  EXPECT_EQ(plan.decision.hash, "abc123");
  const Json pod = ApplyAndCheckIdempotent(s, plan);

  const Json& init = pod["spec"]["initContainers"];
  ASSERT_EQ(init.size(), 1u);
  const Json& sc = init[0];
  EXPECT_EQ(sc["name"], "limen-sidecar");
  EXPECT_EQ(sc["image"], kImage);
  EXPECT_EQ(sc["restartPolicy"], "Always");
  EXPECT_EQ(sc["args"][1], "/etc/limen/envoy.json");
  const Json& sec = sc["securityContext"];
  EXPECT_EQ(sec["runAsNonRoot"], true);
  EXPECT_EQ(sec["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sec["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sec["capabilities"]["drop"], Json::array({"ALL"}));
  EXPECT_EQ(sec["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_GT(sec["runAsUser"].get<int64_t>(), 0);
  EXPECT_EQ(sc["resources"]["requests"]["memory"], "32Mi");

  const Json* socket = FindByName(pod["spec"]["volumes"], "limen-socket");
  ASSERT_NE(socket, nullptr);
  EXPECT_TRUE((*socket)["emptyDir"].is_object());
  const Json* config = FindByName(pod["spec"]["volumes"], "limen-config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ((*config)["configMap"]["name"], "limen-web-sidecar");

  const Json& app = pod["spec"]["containers"][0];
  EXPECT_EQ((*FindByName(app["env"], "LIMEN_SOCKET"))["value"], "/var/run/limen/outbound.sock");
  EXPECT_EQ((*FindByName(app["env"], "LIMEN_LOCATOR"))["value"], s.config.locator);
  EXPECT_EQ(app["volumeMounts"][0]["mountPath"], "/var/run/limen");

  EXPECT_EQ(pod["metadata"]["annotations"]["limen.dev/injected"], "web@abc123");
  EXPECT_EQ(pod["metadata"]["annotations"]["limen.dev/injection-status"], "injected");
  EXPECT_EQ(pod["metadata"]["annotations"]["team"], "a");
}

TEST(Planner, AnnotationPathsAreEscaped) {
  Scenario s;
  const Plan plan = s.Run();
  bool found = false;
  for (const auto& op : plan.patch) {
    if (op["path"] == "/metadata/annotations/limen.dev~1injected") found = true;
  }
  EXPECT_TRUE(found) << plan.patch.dump(2);
}

TEST(Planner, NullOrAbsentAnnotationsGetAWholeMap) {
  for (const char* variant : {"null", "absent"}) {
    Scenario s;
    if (std::string(variant) == "null") {
      s.pod["metadata"]["annotations"] = nullptr;
    } else {
      s.pod["metadata"].erase("annotations");
    }
    const Plan plan = s.Run();
    ASSERT_EQ(plan.decision.reason, Reason::kInjected) << variant;
    const Json pod = ApplyAndCheckIdempotent(s, plan);
    EXPECT_EQ(pod["metadata"]["annotations"].size(), 2u) << variant;
  }
}

TEST(Planner, NoMetadataAtAll) {
  Scenario s;
  s.pod.erase("metadata");
  s.policies = {Policy("all", "h", R"({"selector": {}})")};
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected) << plan.decision.message;
  ApplyAndCheckIdempotent(s, plan);
}

struct UntouchedCase {
  const char* name;
  std::function<void(Scenario&)> mutate;
  Reason want;
};

TEST(Planner, UntouchedReasonsGiveEmptyPatches) {
  const std::vector<UntouchedCase> cases = {
      {"kube-system", [](Scenario& s) { s.ns = "kube-system"; }, Reason::kProtectedNamespace},
      {"kube-node-lease", [](Scenario& s) { s.ns = "kube-node-lease"; },
       Reason::kProtectedNamespace},
      {"limen namespace", [](Scenario& s) { s.ns = "limen-system"; }, Reason::kProtectedNamespace},
      {"custom limen namespace",
       [](Scenario& s) {
         s.config.limen_namespace = "ops";
         s.ns = "ops";
       },
       Reason::kProtectedNamespace},
      {"namespace without label", [](Scenario& s) { s.ns_labels->clear(); },
       Reason::kNamespaceNotEnabled},
      {"namespace label disabled",
       [](Scenario& s) { (*s.ns_labels)["limen.dev/injection"] = "disabled"; },
       Reason::kNamespaceNotEnabled},
      {"opted out", [](Scenario& s) { s.pod["metadata"]["labels"]["limen.dev/inject"] = "false"; },
       Reason::kOptedOut},
      {"not an object", [](Scenario& s) { s.pod = Json::array(); }, Reason::kInvalidPod},
      {"no containers", [](Scenario& s) { s.pod["spec"]["containers"] = Json::array(); },
       Reason::kInvalidPod},
      {"containers not an array", [](Scenario& s) { s.pod["spec"]["containers"] = "x"; },
       Reason::kInvalidPod},
  };
  for (const auto& c : cases) {
    Scenario s;
    c.mutate(s);
    const Plan plan = s.Run();
    EXPECT_EQ(plan.decision.reason, c.want) << c.name << ": " << plan.decision.message;
    EXPECT_TRUE(plan.patch.empty()) << c.name << ": " << plan.patch.dump();
    EXPECT_TRUE(plan.decision.untouched()) << c.name;
  }
}

TEST(Planner, UnknownNamespaceLabelsTrustTheApiserversSelector) {
  Scenario s;
  s.ns_labels.reset();
  EXPECT_EQ(s.Run().decision.reason, Reason::kInjected);
}

TEST(Planner, OptInLabelOtherValuesStillInject) {
  Scenario s;
  s.pod["metadata"]["labels"]["limen.dev/inject"] = "true";
  EXPECT_EQ(s.Run().decision.reason, Reason::kInjected);
}

struct SkipCase {
  const char* name;
  std::function<void(Scenario&)> mutate;
  Reason want;
};

TEST(Planner, SkippedReasonsOnlyAnnotate) {
  const std::vector<SkipCase> cases = {
      {"hostNetwork", [](Scenario& s) { s.pod["spec"]["hostNetwork"] = true; },
       Reason::kHostNetwork},
      {"no policy", [](Scenario& s) { s.policies.clear(); }, Reason::kNoPolicy},
      {"selector does not match", [](Scenario& s) { s.pod["metadata"]["labels"]["app"] = "db"; },
       Reason::kNoPolicy},
      {"policy of another namespace",
       [](Scenario& s) { s.policies[0].metadata.namespace_ = "other"; }, Reason::kNoPolicy},
      {"policy without selector", [](Scenario& s) { s.policies[0].spec.selector.reset(); },
       Reason::kNoPolicy},
      {"not rendered", [](Scenario& s) { s.policies = {Policy("web", "")}; },
       Reason::kPolicyNotRendered},
      {"user container named like the sidecar",
       [](Scenario& s) {
         s.pod["spec"]["containers"].push_back({{"name", "limen-sidecar"}});
       },
       Reason::kNameCollision},
      {"user init container named like the sidecar",
       [](Scenario& s) {
         s.pod["spec"]["initContainers"] = Json::array({{{"name", "limen-sidecar"}}});
       },
       Reason::kNameCollision},
      {"user volume limen-socket",
       [](Scenario& s) {
         s.pod["spec"]["volumes"] =
             Json::array({{{"name", "limen-socket"}, {"emptyDir", Json::object()}}});
       },
       Reason::kNameCollision},
      {"user volume limen-config",
       [](Scenario& s) {
         s.pod["spec"]["volumes"] =
             Json::array({{{"name", "limen-config"}, {"emptyDir", Json::object()}}});
       },
       Reason::kNameCollision},
      {"user mount at /var/run/limen",
       [](Scenario& s) {
         s.pod["spec"]["containers"][0]["volumeMounts"] =
             Json::array({{{"name", "x"}, {"mountPath", "/var/run/limen"}}});
       },
       Reason::kNameCollision},
  };
  for (const auto& c : cases) {
    Scenario s;
    c.mutate(s);
    const Plan plan = s.Run();
    EXPECT_EQ(plan.decision.reason, c.want) << c.name << ": " << plan.decision.message;
    EXPECT_FALSE(plan.decision.untouched()) << c.name;
    const Json pod = ApplyAndCheckIdempotent(s, plan);
    EXPECT_EQ(pod["metadata"]["annotations"]["limen.dev/injection-status"],
              "skipped: " + std::string(ReasonName(c.want)))
        << c.name;
    EXPECT_FALSE(pod["spec"].contains("initContainers") &&
                 FindByName(pod["spec"]["initContainers"], "limen-sidecar") != nullptr &&
                 c.want != Reason::kNameCollision)
        << c.name;
    EXPECT_EQ(pod["spec"], s.pod["spec"]) << c.name << ": a skip must not touch the spec";
  }
}

TEST(Planner, SkipRemovesATenantSetInjectedAnnotation) {
  Scenario s;
  s.pod["spec"]["hostNetwork"] = true;
  s.pod["metadata"]["annotations"]["limen.dev/injected"] = "forged@x";
  const Plan plan = s.Run();
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  EXPECT_FALSE(pod["metadata"]["annotations"].contains("limen.dev/injected"));
}

TEST(Planner, ForgedInjectedAnnotationWithoutSidecarIsInjectedAnyway) {
  Scenario s;
  s.pod["metadata"]["annotations"]["limen.dev/injected"] = "forged@x";
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected);
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  EXPECT_EQ(pod["metadata"]["annotations"]["limen.dev/injected"], "web@abc123");
}

TEST(Planner, AlreadyInjectedPodGetsEmptyPatchEvenAfterAnotherWebhook) {
  Scenario s;
  Json pod = s.pod.patch(s.Run().patch);
  // Another mutating webhook adds a container and a label after us; reinvocation is a no-op.
  pod["spec"]["containers"].push_back({{"name", "other-sidecar"}, {"image", "x"}});
  pod["metadata"]["labels"]["mutated-by"] = "someone";
  const Plan again = s.Run(pod);
  EXPECT_EQ(again.decision.reason, Reason::kAlreadyInjected);
  EXPECT_TRUE(again.patch.empty());
}

TEST(Planner, OlderClusterAddsARegularContainer) {
  Scenario s;
  s.config.native_sidecar = false;
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected);
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  EXPECT_FALSE(pod["spec"].contains("initContainers"));
  ASSERT_EQ(pod["spec"]["containers"].size(), 2u);
  const Json& sc = pod["spec"]["containers"][1];
  EXPECT_EQ(sc["name"], "limen-sidecar");
  EXPECT_FALSE(sc.contains("restartPolicy"));
  // The sidecar itself does not get the app's env/mount appended.
  EXPECT_EQ(FindByName(sc["env"], "LIMEN_LOCATOR"), nullptr);
}

TEST(Planner, ExistingInitContainersKeepOrderAfterTheSidecar) {
  Scenario s;
  s.pod["spec"]["initContainers"] = Json::array({{{"name", "migrate"}, {"image", "m"}}});
  const Plan plan = s.Run();
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  ASSERT_EQ(pod["spec"]["initContainers"].size(), 2u);
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], "limen-sidecar");
  EXPECT_EQ(pod["spec"]["initContainers"][1]["name"], "migrate");
  EXPECT_FALSE(pod["spec"]["initContainers"][1].contains("env"));
}

TEST(Planner, MultipleContainersWithExistingEnvAndVolumes) {
  Scenario s;
  s.pod["spec"]["containers"] = Json::parse(R"([
    {"name": "app", "image": "a", "env": [{"name": "A", "value": "1"}],
     "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
    {"name": "worker", "image": "w", "env": [{"name": "LIMEN_SOCKET", "value": "/custom"}]},
    {"name": "plain", "image": "p"}
  ])");
  s.pod["spec"]["volumes"] = Json::parse(R"([{"name": "data", "emptyDir": {}}])");
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected);
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  const Json& cs = pod["spec"]["containers"];
  EXPECT_EQ(cs[0]["env"].size(), 3u);
  EXPECT_EQ(cs[0]["env"][0]["name"], "A");
  EXPECT_EQ(cs[0]["volumeMounts"].size(), 2u);
  EXPECT_EQ((*FindByName(cs[1]["env"], "LIMEN_SOCKET"))["value"], "/custom");
  EXPECT_EQ(cs[1]["env"].size(), 2u);
  EXPECT_EQ(cs[2]["env"].size(), 2u);
  EXPECT_EQ(pod["spec"]["volumes"].size(), 3u);
  EXPECT_EQ(pod["spec"]["volumes"][0]["name"], "data");
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("worker"), std::string::npos);
  // Appends use "/-" when the arrays exist.
  bool append = false;
  for (const auto& op : plan.patch) {
    if (op["path"] == "/spec/volumes/-") append = true;
  }
  EXPECT_TRUE(append);
}

TEST(Planner, WasmFiltersMountedReadOnlyOrLeftOutWithWarnings) {
  Scenario s;
  s.policies = {Policy("web", "h1", R"({"wasmFilters": [
      {"name": "authz"}, {"name": "stats"}, {"name": "missing"}, {"name": "draft"},
      {"name": "floating"}, {"name": "stale"}, {"name": "authz"}]})")};
  s.filters = {
      Filter("authz", R"({"configMap": {"name": "authz-wasm", "key": "authz.wasm"}})", true),
      Filter("stats", std::string(R"({"image": {"reference": ")") + kPinned + R"("}})", true),
      Filter("draft", R"({"configMap": {"name": "d", "key": "d.wasm"}})", false),
      Filter("floating", R"({"image": {"reference": "registry.example/x:latest"}})", true),
      Filter("stale", R"({"configMap": {"name": "s", "key": "s.wasm"}})", true, 3, 2),
  };
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected);
  EXPECT_EQ(plan.decision.wasm_filters, (std::vector<std::string>{"authz", "stats"}));
  EXPECT_EQ(plan.warnings.size(), 4u) << Json(plan.warnings).dump(2);
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  const Json* cm = FindByName(pod["spec"]["volumes"], "limen-wasm-authz");
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ((*cm)["configMap"]["name"], "authz-wasm");
  EXPECT_EQ((*cm)["configMap"]["items"][0]["key"], "authz.wasm");
  EXPECT_EQ((*cm)["configMap"]["items"][0]["path"], "module.wasm");
  const Json* img = FindByName(pod["spec"]["volumes"], "limen-wasm-stats");
  ASSERT_NE(img, nullptr);
  EXPECT_EQ((*img)["image"]["reference"], kPinned);
  const Json& mounts = pod["spec"]["initContainers"][0]["volumeMounts"];
  const Json* m = FindByName(mounts, "limen-wasm-authz");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["mountPath"], "/var/run/limen/wasm/authz");
  EXPECT_EQ((*m)["readOnly"], true);
  // Apps never see module volumes.
  EXPECT_EQ(FindByName(pod["spec"]["containers"][0]["volumeMounts"], "limen-wasm-authz"), nullptr);
}

TEST(Planner, SeveralPoliciesFirstByNameWins) {
  Scenario s;
  s.policies = {Policy("zeta", "z"), Policy("alpha", "a")};
  const Plan plan = s.Run();
  EXPECT_EQ(plan.decision.policy, "alpha");
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("zeta"), std::string::npos);
}

TEST(Planner, TenantCannotChooseImageResourcesOrPrivileges) {
  Scenario s;
  s.pod["metadata"]["annotations"]["limen.dev/sidecar-image"] = "evil:latest";
  s.pod["spec"]["securityContext"] = {{"runAsUser", 0}};
  s.policies = {Policy("web", "h", R"({"sidecar": {"logLevel": "debug", "concurrency": 64,
      "resources": {"limits": {"memory": "64Gi"}}}})")};
  const Plan plan = s.Run();
  ASSERT_EQ(plan.decision.reason, Reason::kInjected);
  const Json pod = ApplyAndCheckIdempotent(s, plan);
  const Json& sc = pod["spec"]["initContainers"][0];
  EXPECT_EQ(sc["image"], kImage);
  EXPECT_EQ(sc["resources"]["limits"]["memory"], "128Mi");
  EXPECT_EQ(sc["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(sc["args"][3], "debug");
  EXPECT_EQ(sc["args"][5], "4");  // clamped to maxConcurrency
  EXPECT_EQ(plan.warnings.size(), 2u) << Json(plan.warnings).dump();
}

TEST(Planner, WasmVolumeNamesAreDnsLabels) {
  EXPECT_EQ(WasmVolumeName("authz"), "limen-wasm-authz");
  EXPECT_EQ(WasmVolumeName("a.b"), "limen-wasm-a-b");
  const std::string long_a = WasmVolumeName(std::string(200, 'a'));
  const std::string long_b = WasmVolumeName(std::string(199, 'a') + "b");
  EXPECT_LE(long_a.size(), 63u);
  EXPECT_NE(long_a, long_b);
}

TEST(Planner, IsValidatedChecksGenerationAndDigest) {
  EXPECT_TRUE(IsValidated(Filter("f", R"({"configMap": {"name": "c", "key": "k"}})", true)));
  EXPECT_FALSE(IsValidated(Filter("f", R"({"configMap": {"name": "c", "key": "k"}})", false)));
  EXPECT_FALSE(IsValidated(Filter("f", R"({"configMap": {"name": "c", "key": "k"}})", true, 2, 1)));
  auto f = Filter("f", R"({"configMap": {"name": "c", "key": "k"}})", true);
  f.status.sha256 = std::string(64, 'b');
  EXPECT_FALSE(IsValidated(f));  // pinned to 'a…', validated 'b…'
  f.status.sha256 = std::string(64, 'a');
  EXPECT_TRUE(IsValidated(f));
  // Not pinned: the module the operator validated (its digest in status) is the one used.
  f.spec.sha256.clear();
  f.status.sha256 = std::string(64, 'b');
  EXPECT_TRUE(IsValidated(f));
}

TEST(Config, ValidateRequiresPinnedImageAndNonRootUser) {
  InjectorConfig c = TestConfig();
  EXPECT_TRUE(Validate(c).ok());
  c.sidecar_image = "envoy:latest";
  EXPECT_FALSE(Validate(c).ok());
  c = TestConfig();
  c.run_as_user = 0;
  EXPECT_FALSE(Validate(c).ok());
  InjectorConfig d;
  EXPECT_FALSE(Validate(d).ok());  // no image by default
}

TEST(Config, ApplyConfigJsonRejectsUnknownKeysAndTypes) {
  InjectorConfig c;
  EXPECT_TRUE(ApplyConfigJson(Json{{"sidecarImage", kImage}, {"nativeSidecar", false}}, c).ok());
  EXPECT_EQ(c.sidecar_image, kImage);
  EXPECT_FALSE(c.native_sidecar);
  EXPECT_FALSE(ApplyConfigJson(Json{{"sidecarImag", "x"}}, c).ok());
  EXPECT_FALSE(ApplyConfigJson(Json{{"runAsUser", "101"}}, c).ok());
}

}  // namespace
}  // namespace limen::webhook
