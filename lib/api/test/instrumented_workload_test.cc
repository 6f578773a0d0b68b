#include "limen/api/instrumented_workload.h"

#include <gtest/gtest.h>

#include "limen/api/well_known.h"

namespace limen::api {
namespace {

TEST(InstrumentedWorkloadTest, BuildsStatusFromScratch) {
  InstrumentedWorkload w;
  w.api_version = std::string(kApiVersion);
  w.kind = std::string(kKindInstrumentedWorkload);
  w.metadata.name = InstrumentedWorkloadName("Deployment", "checkout");
  w.spec.workload_ref = {"apps/v1", "Deployment", "checkout", "u1", {}};
  w.status.pods = {3, 3, 0, {}};
  Criterion c;
  c.name = std::string(kCriterionStartup);
  c.met = "True";
  c.value = "8.2ms";
  c.threshold = "12ms";
  c.met_since = *ParseTime("2025-10-02T09:14:03Z");
  w.status.criteria.push_back(c);
  const Json j = Encode(w);
  EXPECT_EQ(j["metadata"]["name"], "deployment-checkout");
  // Zero counters of a fresh value are omitted (omitempty), set ones written.
  EXPECT_EQ(j["status"]["pods"], Json::parse(R"({"total":3,"injected":3})"));
  EXPECT_EQ(j["status"]["criteria"][0]["metSince"], "2025-10-02T09:14:03Z");
  EXPECT_FALSE(j["status"].contains("measurements"));
  const auto back = Decode<InstrumentedWorkload>(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Encode(*back), j);
}

TEST(InstrumentedWorkloadTest, ZeroCountersFromTheServerStay) {
  const Json j = Json::parse(R"({"status":{"pods":{"total":0,"injected":0,"instrumented":0},
      "measurements":{"memoryBytes":0}}})");
  EXPECT_EQ(Encode(*Decode<InstrumentedWorkload>(j)), j);
}

}  // namespace
}  // namespace limen::api
