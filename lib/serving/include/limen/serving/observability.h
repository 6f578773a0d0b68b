// The observability endpoints every Limen binary serves: /metrics (Prometheus text format
// of a registry), /healthz and /livez (liveness), /readyz (readiness).
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <prometheus/registry.h>

#include "limen/serving/health.h"
#include "limen/serving/http_server.h"

namespace limen::serving {

// Writes metric families in the text exposition format 0.0.4 straight into `out`, for
// families too big to hold as prometheus-cpp series: limen-operator's per-workload gauges
// (≈ 11,000 series at 1,000 workloads) held ≈ 5 MB as prometheus-cpp objects, and every scrape
// built them all again as a MetricFamily tree before serializing.
class TextExposition {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  explicit TextExposition(std::string& out) : out_(out) {}
  // The "# HELP" and "# TYPE" lines: once per family, before its samples.
  void Family(std::string_view name, std::string_view help, std::string_view type);
  // name{label="value",...} value, with label values and help text escaped as the format
  // requires and the value in its shortest exact decimal form (or NaN, +Inf, -Inf).
  void Sample(std::string_view name, Labels labels, double value);

 private:
  std::string& out_;
};

// Appends families rendered at scrape time (with TextExposition, or serialized otherwise)
// after the registry's. Called on an HTTP connection's thread.
using AppendMetrics = std::function<void(std::string& out)>;

// Prometheus text exposition format 0.0.4 of everything in `registry`, then what `more`
// appends.
std::string RenderMetrics(prometheus::Registry& registry, const AppendMetrics& more = {});

// Registers GET /metrics, /healthz, /livez and /readyz on `server`. `registry` and `health`
// must outlive the server. /metrics renders RenderMetrics(registry, more) and returns the
// free heap its rendering leaves to the system (malloc_trim) before it replies.
void AddObservabilityRoutes(HttpServer& server, prometheus::Registry& registry,
                            const HealthChecks& health, AppendMetrics more = {});

}  // namespace limen::serving
