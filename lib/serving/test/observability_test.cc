#include "limen/serving/observability.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>

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
