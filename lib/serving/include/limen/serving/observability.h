// The observability endpoints every Limen binary serves: /metrics (Prometheus text format
// of a registry), /healthz and /livez (liveness), /readyz (readiness).
#pragma once

#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "limen/serving/health.h"
#include "limen/serving/http_server.h"

namespace limen::serving {

// Prometheus text exposition format 0.0.4 of everything in `registry`.
std::string RenderMetrics(prometheus::Registry& registry);

// Registers GET /metrics, /healthz, /livez and /readyz on `server`. `registry` and `health`
// must outlive the server. /metrics returns the free heap its rendering leaves to the
// system (malloc_trim) before it replies.
void AddObservabilityRoutes(HttpServer& server, prometheus::Registry& registry,
                            const HealthChecks& health);

}  // namespace limen::serving
