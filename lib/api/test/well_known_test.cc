#include "limen/api/well_known.h"

#include <gtest/gtest.h>

#include "limen/api/selector.h"

namespace limen::api {
namespace {

TEST(WellKnownTest, ProbeCatalogue) {
  EXPECT_EQ(kProbeCatalogue.size(), 8u);
  for (auto probe : kProbeCatalogue) EXPECT_TRUE(IsCatalogueProbe(probe)) << probe;
  EXPECT_FALSE(IsCatalogueProbe("kprobe.anything"));
  EXPECT_FALSE(IsCatalogueProbe(""));
}

TEST(WellKnownTest, LabelsAndAnnotationsAreValidKeys) {
  for (auto key : {kLabelInjection, kLabelInject, kAnnotationInjected, kAnnotationInjectionStatus,
                   kLabelManagedBy}) {
    EXPECT_TRUE(ValidateLabelKey(key).ok()) << key;
  }
  EXPECT_EQ(kLabelManagedBy, "app.kubernetes.io/managed-by");
  EXPECT_EQ(kManagedByLimen, "limen");
}

TEST(WellKnownTest, DeterministicNames) {
  EXPECT_EQ(SidecarConfigMapName("checkout"), "limen-checkout-sidecar");
  EXPECT_EQ(InstrumentedWorkloadName("Deployment", "web"), "deployment-web");
  EXPECT_EQ(InstrumentedWorkloadName("StatefulSet", "db-0"), "statefulset-db-0");
  EXPECT_EQ(InstrumentedWorkloadName("Pod", "Mixed"), "pod-mixed");
  const std::string long_name(253, 'a');
  const std::string a = InstrumentedWorkloadName("Deployment", long_name);
  const std::string b = InstrumentedWorkloadName("Deployment", long_name + "b");
  EXPECT_EQ(a.size(), 253u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, InstrumentedWorkloadName("Deployment", long_name));
  EXPECT_EQ(SidecarConfigMapName(long_name).size(), 253u);
}

}  // namespace
}  // namespace limen::api
