// ClusterSuite: the suite-level fixture the reconciler and operator integration tests share —
// one client of the fixture cluster with Limen's CRDs applied, and the C proxy-wasm sample
// module (built by the `wasm_samples` target) read once. Header-only because the sample's
// directory is a compile definition of each test target (LIMEN_WASM_SAMPLES_DIR).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "cluster.h"

namespace limen::reconcilers::testing {

class ClusterSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = ConnectToFixtureCluster();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c).release();
    Status crds = ApplyCrds(*client_);
    ASSERT_TRUE(crds.ok()) << crds.ToString();
    auto sample = ReadFile(std::string(LIMEN_WASM_SAMPLES_DIR) + "/c-proxy-wasm.wasm");
    ASSERT_TRUE(sample.ok()) << sample.status().ToString();
    sample_ = new std::string(std::move(*sample));
  }
  static void TearDownTestSuite() {
    delete client_;
    client_ = nullptr;
    delete sample_;
    sample_ = nullptr;
  }

  static inline kube::HttpClient* client_ = nullptr;
  static inline std::string* sample_ = nullptr;
};

}  // namespace limen::reconcilers::testing
