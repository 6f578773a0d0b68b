#include "limen/serving/observability.h"

#include <prometheus/text_serializer.h>

namespace limen::serving {

std::string RenderMetrics(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

void AddObservabilityRoutes(HttpServer& server, prometheus::Registry& registry,
                            const HealthChecks& health) {
  server.Route("GET", "/metrics", [&registry](const Request&) {
    Response r = Response::Text(200, RenderMetrics(registry));
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  });
  auto health_route = [&health](HealthChecks::Kind kind) {
    return [&health, kind](const Request& req) {
      return health.Evaluate(kind, req.query.count("verbose") > 0);
    };
  };
  server.Route("GET", "/healthz", health_route(HealthChecks::Kind::kLiveness));
  server.Route("GET", "/livez", health_route(HealthChecks::Kind::kLiveness));
  server.Route("GET", "/readyz", health_route(HealthChecks::Kind::kReadiness));
}

}  // namespace limen::serving
