// lib/api's defaulting must equal the CRDs' `default:` values, so the two can never drift:
// for each CRD, an object in which every defaulted field's parent exists (Skeleton) and a
// minimal object are defaulted twice — by the apiserver's algorithm walking the CRD schema,
// and by lib/api (decode → SetDefaults → encode) — and the results must be equal. A default
// missing on either side, or a different value, fails with the JSON of both.
#include <gtest/gtest.h>

#include "yaml_json.h"

namespace limen::api {
namespace {

using testing::ApplySchemaDefaults;
using testing::CrdDir;
using testing::CrdSchema;
using testing::DefaultedPaths;
using testing::LoadYamlFile;
using testing::RoundTrip;
using testing::Skeleton;
using testing::YamlFilesIn;

struct Crd {
  std::string file;
  std::string kind;
  Json schema;
};

std::vector<Crd> LoadCrds() {
  std::vector<Crd> out;
  for (const std::string& file : YamlFilesIn(CrdDir())) {
    for (const Json& doc : LoadYamlFile(file)) {
      if (doc.value("kind", "") != "CustomResourceDefinition") continue;
      out.push_back({file, doc["spec"]["names"]["kind"].get<std::string>(), CrdSchema(doc)});
    }
  }
  return out;
}

void ExpectSameDefaults(const Crd& crd, Json object, const char* what) {
  object["apiVersion"] = "limen.dev/v1alpha1";
  object["kind"] = crd.kind;
  Json expected = object;
  ApplySchemaDefaults(expected, crd.schema);
  const auto actual = RoundTrip(object, /*apply_defaults=*/true);
  ASSERT_TRUE(actual.ok()) << crd.file << " (" << what << "): " << actual.status().ToString();
  EXPECT_EQ(*actual, expected) << crd.file << " (" << what
                               << ")\n  CRD defaults:    " << expected.dump()
                               << "\n  lib/api defaults: " << actual->dump();
}

TEST(CrdDefaultsTest, LibApiDefaultsEqualCrdDefaults) {
  const std::vector<Crd> crds = LoadCrds();
  ASSERT_EQ(crds.size(), 5u) << "expected the five limen.dev CRDs in " << CrdDir();
  size_t defaulted = 0;
  for (const Crd& crd : crds) {
    SCOPED_TRACE(crd.kind);
    defaulted += DefaultedPaths(crd.schema).size();
    ExpectSameDefaults(crd, Skeleton(crd.schema), "every object present");
    // Not {} itself: spec is required by every CRD that has one, and lib/api models it as
    // always present (a plain member), so SetDefaults on {} creates a defaulted spec where
    // the apiserver would reject the object.
    if (crd.schema["properties"].contains("spec")) {
      ExpectSameDefaults(crd, Json{{"spec", Json::object()}}, "empty spec");
    } else {
      ExpectSameDefaults(crd, Json::object(), "empty object");
    }
  }
  // DESIGN.md's defaults: readiness (5), circuit breakers (6), retries (3), timeout,
  // healthCheck.timeout, degradedResponse (2), sidecar (2), WasmFilter (5)…
  EXPECT_GE(defaulted, 20u);
}

TEST(CrdDefaultsTest, DesignDefaultsAreTheCrdDefaults) {
  // The values DESIGN.md fixes, checked against the CRD text itself.
  for (const Crd& crd : LoadCrds()) {
    if (crd.kind != "ObservabilityPolicy") continue;
    const Json& r = crd.schema["properties"]["spec"]["properties"]["readiness"]["properties"];
    EXPECT_EQ(r["startupMillis"]["default"], 12);
    EXPECT_EQ(r["memory"]["default"], "3.2M");
    EXPECT_EQ(r["coveragePercent"]["default"], 92);
    EXPECT_EQ(r["requiredCriteria"]["default"], 2);
    EXPECT_EQ(r["sustainFor"]["default"], "2160h");
  }
}

TEST(CrdDefaultsTest, ListsEveryDefaultedField) {
  // A readable inventory in the test log, for reviewers.
  for (const Crd& crd : LoadCrds()) {
    for (const std::string& path : DefaultedPaths(crd.schema)) {
      std::printf("%s: %s\n", crd.kind.c_str(), path.c_str());
    }
  }
}

}  // namespace
}  // namespace limen::api
