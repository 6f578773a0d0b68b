#include "limen/serving/observability.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

namespace limen::serving {
namespace {

TEST(ObservabilityTest, MetricsRouteRendersRegistryInTextFormat) {
  prometheus::Registry registry;
  auto& family = prometheus::BuildCounter()
                     .Name("limen_test_total")
                     .Help("A test counter.")
                     .Register(registry);
  family.Add({{"controller", "wasmfilter"}}).Increment(3);
  HealthChecks health;
  HttpServer server(HttpServerOptions{});
  AddObservabilityRoutes(server, registry, health);

  Response r = server.Dispatch({"GET", "/metrics", {}, {}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# HELP limen_test_total A test counter."), std::string::npos);
  EXPECT_NE(r.body.find("limen_test_total{controller=\"wasmfilter\"} 3"), std::string::npos);
}

TEST(TextExpositionTest, FamiliesSamplesEscapingAndValues) {
  std::string out;
  TextExposition text(out);
  text.Family("limen_x", "Help with \\ and\nnewline \"kept\".", "gauge");
  text.Sample("limen_x", {{"namespace", "shop"}, {"odd", "a\\b\"c\nd"}}, 0.952);
  text.Sample("limen_x", {}, 3'200'000);
  text.Sample("limen_x", {{"v", "nan"}}, std::nan(""));
  text.Sample("limen_x", {{"v", "inf"}}, std::numeric_limits<double>::infinity());
  text.Sample("limen_x", {{"v", "-inf"}}, -std::numeric_limits<double>::infinity());
  text.Sample("limen_x", {{"v", "tiny"}}, 1e-300);
  EXPECT_EQ(out,
            "# HELP limen_x Help with \\\\ and\\nnewline \"kept\".\n"
            "# TYPE limen_x gauge\n"
            "limen_x{namespace=\"shop\",odd=\"a\\\\b\\\"c\\nd\"} 0.952\n"
            "limen_x 3200000\n"
            "limen_x{v=\"nan\"} NaN\n"
            "limen_x{v=\"inf\"} +Inf\n"
            "limen_x{v=\"-inf\"} -Inf\n"
            "limen_x{v=\"tiny\"} 1e-300\n");
}

TEST(ObservabilityTest, MetricsRouteAppendsWhatTheCallerRendersAfterTheRegistry) {
  prometheus::Registry registry;
  prometheus::BuildCounter().Name("limen_a_total").Help("A.").Register(registry).Add({});
  HealthChecks health;
  HttpServer server(HttpServerOptions{});
  AddObservabilityRoutes(server, registry, health, [](std::string& out) {
    TextExposition text(out);
    text.Family("limen_b", "B.", "gauge");
    text.Sample("limen_b", {{"workload", "deployment-web"}}, 1);
  });
  const std::string body = server.Dispatch({"GET", "/metrics", {}, {}, ""}).body;
  const size_t a = body.find("limen_a_total 0"),
               b = body.find("limen_b{workload=\"deployment-web\"} 1");
  ASSERT_NE(a, std::string::npos) << body;
  ASSERT_NE(b, std::string::npos) << body;
  EXPECT_LT(a, b);
}

// The exposition parses with Prometheus' own parser (promtool, installed by scripts/setup).
TEST(TextExpositionTest, PromtoolAcceptsTheOutput) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the test runs no other thread
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not on PATH (scripts/setup installs it)";
  }
  prometheus::Registry registry;
  prometheus::BuildCounter().Name("limen_a_total").Help("A.").Register(registry).Add({});
  const std::string body = RenderMetrics(registry, [](std::string& out) {
    TextExposition text(out);
    text.Family("limen_sample_value", "Help \\ with\nescapes.", "gauge");
    text.Sample("limen_sample_value", {{"namespace", "shop"}, {"v", "q\"uo\\te\n"}}, 0.25);
    text.Sample("limen_sample_value", {{"namespace", "shop"}, {"v", "inf"}}, INFINITY);
  });
  const std::string path = ::testing::TempDir() + "/exposition.txt";
  {
    std::ofstream f(path);
    f << body;
  }
  const std::string cmd = "promtool check metrics < " + path + " > " + path + ".out 2>&1";
  const int rc = std::system(cmd.c_str());  // NOLINT(concurrency-mt-unsafe): no other thread
  std::ifstream report(path + ".out");
  const std::string what((std::istreambuf_iterator<char>(report)), {});
  EXPECT_EQ(rc, 0) << what << "\n" << body;
}

TEST(ObservabilityTest, HealthRoutesFollowChecks) {
  prometheus::Registry registry;
  HealthChecks health;
  bool synced = false;
  health.Add(HealthChecks::Kind::kReadiness, "synced",
             [&] { return synced ? Status::Ok() : Status::Unavailable("caches not synced"); });
  HttpServer server(HttpServerOptions{});
  AddObservabilityRoutes(server, registry, health);
  EXPECT_EQ(server.Dispatch({"GET", "/healthz", {}, {}, ""}).status, 200);
  EXPECT_EQ(server.Dispatch({"GET", "/readyz", {}, {}, ""}).status, 500);
  synced = true;
  EXPECT_EQ(server.Dispatch({"GET", "/readyz", {}, {}, ""}).status, 200);
  EXPECT_EQ(server.Dispatch({"GET", "/readyz", {{"verbose", ""}}, {}, ""}).body,
            "[+]synced ok\nreadyz check passed\n");
}

}  // namespace
}  // namespace limen::serving
