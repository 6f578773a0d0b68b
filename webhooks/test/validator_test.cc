// The checks of /validate-limen that CEL cannot express, table-style.
#include "limen/webhook/validator.h"

#include <gtest/gtest.h>

#include "limen/api/codec.h"

namespace limen::webhook {
namespace {

using Json = nlohmann::json;

api::WasmFilter Filter(const std::string& name, bool validated) {
  return api::Decode<api::WasmFilter>(Json::parse(R"({"apiVersion": "limen.dev/v1alpha1",
    "kind": "WasmFilter", "metadata": {"name": ")" +
                                                  name + R"(", "namespace": "shop"},
    "spec": {"source": {"configMap": {"name": "c", "key": "k"}}, "sha256": "x"},
    "status": {"conditions": [{"type": "Validated", "status": ")" +
                                                  (validated ? "True" : "False") + R"(",
      "reason": "r", "message": "", "lastTransitionTime": "2025-01-01T00:00:00Z"}]}})"))
      .value();
}

struct Case {
  const char* name;
  const char* object;
  size_t warnings;
  const char* want;  // substring of the first warning, or ""
  bool error = false;
};

TEST(ValidateLimenObject, Table) {
  const std::vector<api::WasmFilter> filters = {Filter("authz", true), Filter("draft", false)};
  const std::vector<Case> cases = {
      {"valid policy",
       R"({"kind": "ResiliencePolicy", "metadata": {"name": "p", "namespace": "shop"},
          "spec": {"selector": {}, "wasmFilters": [{"name": "authz"}]}})",
       0, ""},
      {"missing filter",
       R"({"kind": "ResiliencePolicy", "metadata": {"name": "p", "namespace": "shop"},
          "spec": {"selector": {}, "wasmFilters": [{"name": "authz"}, {"name": "ghost"}]}})",
       1, "spec.wasmFilters[1]: WasmFilter \"ghost\" does not exist"},
      {"not validated filter",
       R"({"kind": "ResiliencePolicy", "metadata": {"name": "p", "namespace": "shop"},
          "spec": {"selector": {}, "wasmFilters": [{"name": "draft"}]}})",
       1, "is not Validated"},
      {"no selector", R"({"kind": "ResiliencePolicy", "metadata": {"name": "p"}, "spec": {}})", 1,
       "selects no Pod"},
      {"sidecar resources",
       R"({"kind": "ResiliencePolicy", "metadata": {"name": "p"},
          "spec": {"selector": {}, "sidecar": {"resources": {"limits": {"memory": "1Gi"}}}}})",
       1, "ignored"},
      {"unpinned image filter",
       R"({"kind": "WasmFilter", "metadata": {"name": "f"},
          "spec": {"source": {"image": {"reference": "x:latest"}}, "sha256": "a"}})",
       1, "not pinned by digest"},
      {"other kind", R"({"kind": "ObservabilityPolicy", "spec": 5})", 0, ""},
      {"undecodable", R"({"kind": "ResiliencePolicy", "spec": {"wasmFilters": "x"}})", 0, "", true},
  };
  for (const auto& c : cases) {
    auto r = ValidateLimenObject(Json::parse(c.object), filters);
    if (c.error) {
      EXPECT_FALSE(r.ok()) << c.name;
      continue;
    }
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().message();
    EXPECT_EQ(r->warnings.size(), c.warnings) << c.name;
    if (c.warnings > 0 && !r->warnings.empty()) {
      EXPECT_NE(r->warnings[0].find(c.want), std::string::npos) << c.name << ": " << r->warnings[0];
    }
  }
}

}  // namespace
}  // namespace limen::webhook
