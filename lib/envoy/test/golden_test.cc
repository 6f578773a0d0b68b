// Golden files: every policy of testdata/policies renders exactly to testdata/golden/<case>.json.
// LIMEN_UPDATE_GOLDEN=1 rewrites the golden files instead (review the diff before committing).
// Also: the hash is a function of the content only (stable, order-insensitive inputs) and
// changes with the spec.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cases.h"

namespace limen::envoy {
namespace {

const std::string kData = LIMEN_ENVOY_TESTDATA;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// "line N: want ... got ..." for the first differing line (the files are long).
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream w(want), g(got);
  std::string wl, gl;
  for (int line = 1;; ++line) {
    const bool wok = static_cast<bool>(std::getline(w, wl));
    const bool gok = static_cast<bool>(std::getline(g, gl));
    if (!wok && !gok) return "identical lines";
    if (wok != gok || wl != gl) {
      return "line " + std::to_string(line) + ":\n  golden:   " + (wok ? wl : "<end>") +
             "\n  rendered: " + (gok ? gl : "<end>");
    }
  }
}

cases::Case Load(const std::string& file) {
  auto c = cases::LoadCase({file});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : cases::Case{};
}

TEST(Golden, CorpusHasAtLeast20Policies) {
  EXPECT_GE(cases::YamlFilesIn(kData + "/policies").size(), 20u);
}

TEST(Golden, EveryPolicyMatchesItsGoldenFile) {
  const bool update = std::getenv("LIMEN_UPDATE_GOLDEN") != nullptr &&
                      std::string(std::getenv("LIMEN_UPDATE_GOLDEN")) == "1";
  for (const std::string& file : cases::YamlFilesIn(kData + "/policies")) {
    const cases::Case c = Load(file);
    SCOPED_TRACE(c.name);
    auto r = Render(c.policy, c.filters, c.app_ports, RenderConfig{});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::string text = r->bootstrap.dump(2) + "\n";
    const std::string golden = kData + "/golden/" + c.name + ".json";
    if (update) {
      std::ofstream(golden) << text;
      continue;
    }
    EXPECT_TRUE(ReadFile(golden) == text)
        << FirstDifference(ReadFile(golden), text)
        << "\nrerun with LIMEN_UPDATE_GOLDEN=1 to accept the change";
    EXPECT_EQ(r->canonical, r->bootstrap.dump());
    EXPECT_EQ(r->hash.size(), 16u);
  }
}

TEST(Golden, NoStaleGoldenFiles) {
  for (const auto& entry : std::filesystem::directory_iterator(kData + "/golden")) {
    const std::string policy = kData + "/policies/" + entry.path().stem().string() + ".yaml";
    EXPECT_TRUE(std::filesystem::exists(policy)) << entry.path() << " has no policy";
  }
}

TEST(Hash, StableAndIndependentOfInputOrder) {
  cases::Case c = Load(kData + "/policies/wasm-phases-priorities.yaml");
  auto a = Render(c.policy, c.filters, {8080, 9090}, RenderConfig{});
  std::reverse(c.filters.begin(), c.filters.end());
  auto b = Render(c.policy, c.filters, {9090, 8080, 9090}, RenderConfig{});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_EQ(a->canonical, b->canonical);
}

TEST(Hash, ChangesWithTheSpec) {
  const cases::Case c = Load(kData + "/policies/example-checkout.yaml");
  auto base = Render(c.policy, c.filters, c.app_ports, RenderConfig{});
  ASSERT_TRUE(base.ok());
  std::vector<std::pair<std::string, cases::Case>> variants;
  cases::Case v = c;
  v.policy.spec.timeout = "11s";
  variants.push_back({"timeout", v});
  v = c;
  v.policy.spec.circuit_breakers[0].threshold_percent = 61;
  variants.push_back({"thresholdPercent", v});
  v = c;
  v.policy.spec.degraded_response->body = "x";
  variants.push_back({"degradedResponse.body", v});
  v = c;
  v.filters[0].status.sha256 = std::string(64, 'e');
  v.filters[0].spec.sha256 = std::string(64, 'e');
  variants.push_back({"module sha256", v});
  v = c;
  v.policy.spec.wasm_filters[0].config = Json{{"audience", "other"}};
  variants.push_back({"wasm config", v});
  v = c;
  v.app_ports = {8081};
  variants.push_back({"app port", v});
  for (const auto& [what, variant] : variants) {
    auto r = Render(variant.policy, variant.filters, variant.app_ports, RenderConfig{});
    ASSERT_TRUE(r.ok()) << what << ": " << r.status().ToString();
    EXPECT_NE(r->hash, base->hash) << what;
  }
  // Fields that do not reach the bootstrap leave the hash alone.
  v = c;
  v.policy.spec.circuit_breakers[0].probe_num = 9;
  v.policy.metadata.annotations["unrelated"] = "x";
  auto same = Render(v.policy, v.filters, v.app_ports, RenderConfig{});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->hash, base->hash);
}

TEST(ConfigMap, WrapsTheRenderedConfig) {
  const cases::Case c = Load(kData + "/policies/example-checkout.yaml");
  auto r = Render(c.policy, c.filters, c.app_ports, RenderConfig{});
  ASSERT_TRUE(r.ok());
  auto cm = RenderConfigMap(c.policy, *r);
  ASSERT_TRUE(cm.ok()) << cm.status().ToString();
  const Json expected = Json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {
      "name": "limen-checkout-sidecar", "namespace": "shop",
      "labels": {"app.kubernetes.io/managed-by": "limen"},
      "annotations": {"limen.dev/config-hash": ")" +
                                    r->hash + R"("},
      "ownerReferences": [{"apiVersion": "limen.dev/v1alpha1", "kind": "ResiliencePolicy",
        "name": "checkout", "uid": "6f1c2d3e-0000-4000-8000-000000000001",
        "controller": true, "blockOwnerDeletion": true}]
    }})");
  Json got = *cm;
  EXPECT_EQ(got["data"]["envoy.json"], r->canonical);
  got.erase("data");
  EXPECT_EQ(got, expected);

  api::ResiliencePolicy no_uid = c.policy;
  no_uid.metadata.uid.clear();
  EXPECT_FALSE(RenderConfigMap(no_uid, *r).ok());
}

TEST(Interface, EnvoyConfigRendererIsTheFreeFunctions) {
  const cases::Case c = Load(kData + "/policies/example-checkout.yaml");
  const EnvoyConfigRenderer renderer{RenderConfig{}};
  const ConfigRenderer& iface = renderer;
  auto a = iface.Render(c.policy, c.filters, c.app_ports);
  auto b = Render(c.policy, c.filters, c.app_ports, RenderConfig{});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
}

}  // namespace
}  // namespace limen::envoy
