// Policies that cannot be rendered (testdata/invalid/<case>.yaml, each naming its expected
// error in the annotation limen.dev/test-expect-error) are rejected with that reason.
#include <gtest/gtest.h>

#include "cases.h"

namespace limen::envoy {
namespace {

const std::string kData = LIMEN_ENVOY_TESTDATA;

TEST(Reject, EveryInvalidCaseIsRejectedWithItsReason) {
  const auto files = cases::YamlFilesIn(kData + "/invalid");
  EXPECT_GE(files.size(), 10u);
  for (const std::string& file : files) {
    auto c = cases::LoadCase({file});
    ASSERT_TRUE(c.ok()) << file << ": " << c.status().ToString();
    SCOPED_TRACE(c->name);
    ASSERT_FALSE(c->expect_error.empty()) << "missing limen.dev/test-expect-error";
    auto r = Render(c->policy, c->filters, c->app_ports, RenderConfig{});
    ASSERT_FALSE(r.ok()) << "rendered, but should fail with: " << c->expect_error;
    EXPECT_NE(r.status().message().find(c->expect_error), std::string::npos)
        << "got: " << r.status().message() << "\nwant: " << c->expect_error;
  }
}

api::ResiliencePolicy Minimal() {
  api::ResiliencePolicy p;
  p.metadata.name = "p";
  p.metadata.namespace_ = "ns";
  p.spec.selector.emplace();
  return p;
}

struct PortCase {
  std::vector<int> ports;
  RenderConfig config;
  std::string error;  // "" → renders
};

TEST(Reject, PortsAndOperatorConfig) {
  RenderConfig bad_path;
  bad_path.stats_path = "metrics";
  RenderConfig same;
  same.stats_port = same.admin_port;
  RenderConfig near_stats;
  near_stats.inbound_port = 15086;
  const std::vector<PortCase> table = {
      {{8080}, {}, ""},
      {{}, {}, ""},
      {{0}, {}, "app port 0: not a TCP port"},
      {{70000}, {}, "app port 70000: not a TCP port"},
      {{15000}, {}, "app port 15000 collides"},
      {{15006}, {}, "app port 15006 collides"},
      {{8080, 8081, 8082, 8083, 8084},
       near_stats,
       "inbound listener port 15090 (for app port 8084)"},
      {{8080}, bad_path, "config: stats_path must start with /"},
      {{8080}, same, "config: admin_port equals stats_port"},
  };
  for (const PortCase& t : table) {
    auto r = Render(Minimal(), {}, t.ports, t.config);
    if (t.error.empty()) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    } else {
      ASSERT_FALSE(r.ok()) << t.error;
      EXPECT_NE(r.status().message().find(t.error), std::string::npos) << r.status().message();
    }
  }
}

TEST(Reject, NegativeAndUnknownValues) {
  api::ResiliencePolicy p = Minimal();
  p.spec.upstreams.push_back({"u", "u.ns", 80, {}});
  api::CircuitBreaker b;
  b.name = "b";
  b.strategy = "Latency";
  p.spec.circuit_breakers.push_back(b);
  auto r = Render(p, {}, {8080}, RenderConfig{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(
                "spec.circuitBreakers[0] (b).strategy: unknown strategy \"Latency\""),
            std::string::npos);

  p.spec.circuit_breakers[0].strategy = "ErrorRatio";
  p.spec.circuit_breakers[0].threshold_percent = 0;
  r = Render(p, {}, {8080}, RenderConfig{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("thresholdPercent: must be between 1 and 100"),
            std::string::npos);

  p.spec.circuit_breakers.clear();
  p.spec.timeout = "-1s";
  r = Render(p, {}, {8080}, RenderConfig{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("spec.timeout: must not be negative"), std::string::npos);
}

}  // namespace
}  // namespace limen::envoy
