// Golden tests of the planner on the Pod corpus in testdata/pods (realistic specs: several
// containers, init and native sidecar containers, existing volumes and env, hostNetwork,
// collisions, annotation keys with "/" and "~", null annotations, ...), planned against
// testdata/cluster.yaml. For each Pod: the plan equals testdata/golden/<name>.json, the patch
// applies, and planning the patched Pod again gives an empty patch.
//
// LIMEN_UPDATE_GOLDEN=1 ctest -R webhook_planner rewrites the golden files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "limen/api/codec.h"
#include "limen/webhook/planner.h"
#include "limen/webhook/yaml.h"

namespace limen::webhook {
namespace {

namespace fs = std::filesystem;
const std::string kDir = LIMEN_WEBHOOK_TESTDATA;

struct Cluster {
  std::vector<api::ResiliencePolicy> policies;
  std::vector<api::WasmFilter> filters;
};

Cluster LoadCluster() {
  Cluster c;
  auto docs = LoadYamlFile(kDir + "/cluster.yaml");
  EXPECT_TRUE(docs.ok()) << docs.status().message();
  if (!docs.ok()) return c;
  for (const auto& d : *docs) {
    if (d["kind"] == "ResiliencePolicy") {
      c.policies.push_back(api::Decode<api::ResiliencePolicy>(d).value());
    } else {
      c.filters.push_back(api::Decode<api::WasmFilter>(d).value());
    }
  }
  return c;
}

Plan PlanFor(const Json& pod, const Cluster& cluster, const InjectorConfig& config) {
  PlanInput in;
  in.pod = &pod;
  in.ns = pod["metadata"].value("namespace", "");
  // Only "shop" is opted in; every other namespace is known and unlabelled.
  in.namespace_labels = std::map<std::string, std::string>{};
  if (in.ns == "shop") (*in.namespace_labels)["limen.dev/injection"] = "enabled";
  in.policies = cluster.policies;
  in.filters = cluster.filters;
  in.config = &config;
  return PlanInjection(in);
}

TEST(PlannerCorpus, GoldenAndIdempotent) {
  const Cluster cluster = LoadCluster();
  InjectorConfig config;
  config.sidecar_image =
      "registry.example/"
      "envoy@sha256:1111111111111111111111111111111111111111111111111111111111111111";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kDir + "/pods")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 40u);
  const bool update = std::getenv("LIMEN_UPDATE_GOLDEN") != nullptr;
  std::map<std::string, int> reasons;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    auto docs = LoadYamlFile(file.string());
    ASSERT_TRUE(docs.ok() && docs->size() == 1) << docs.status().message();
    const Json& pod = (*docs)[0];
    const Plan plan = PlanFor(pod, cluster, config);
    reasons[std::string(ReasonName(plan.decision.reason))]++;
    const Json got = {
        {"decision", plan.decision.ToJson()}, {"warnings", plan.warnings}, {"patch", plan.patch}};
    const fs::path golden = fs::path(kDir) / "golden" / (file.stem().string() + ".json");
    if (update) {
      std::ofstream(golden) << got.dump(2) << "\n";
    } else {
      std::ifstream in(golden);
      ASSERT_TRUE(in.good()) << "missing " << golden << " (LIMEN_UPDATE_GOLDEN=1 writes it)";
      std::stringstream ss;
      ss << in.rdbuf();
      EXPECT_EQ(Json::parse(ss.str()), got) << "golden " << golden << " differs; got:\n"
                                            << got.dump(2);
    }
    Json patched;
    try {
      patched = pod.patch(plan.patch);
    } catch (const std::exception& e) {
      FAIL() << "patch does not apply: " << e.what();
    }
    const Plan again = PlanFor(patched, cluster, config);
    EXPECT_TRUE(again.patch.empty()) << "not idempotent: " << again.patch.dump(2);
    if (plan.decision.untouched()) {
      EXPECT_TRUE(plan.patch.empty());
    }
  }
  // The corpus covers every decision the planner can make.
  for (Reason r : AllReasons()) {
    EXPECT_GT(reasons[std::string(ReasonName(r))], 0) << "no corpus Pod for " << ReasonName(r);
  }
}

}  // namespace
}  // namespace limen::webhook
