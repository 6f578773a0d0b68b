// Every metric of the controller runtime, in one place (controller-runtime's
// pkg/internal/controller/metrics/metrics.go and client-go's workqueue metrics). The names
// are the upstream ones so existing dashboards and alerts carry over:
//
//   controller_runtime_reconcile_total{controller,result}    result: success | error |
//                                                            requeue | requeue_after
//   controller_runtime_reconcile_errors_total{controller}
//   controller_runtime_terminal_reconcile_errors_total{controller}
//   controller_runtime_reconcile_panics_total{controller}    exceptions caught at the boundary
//   controller_runtime_reconcile_time_seconds{controller}    histogram
//   controller_runtime_max_concurrent_reconciles{controller}
//   controller_runtime_active_workers{controller}
//   workqueue_depth{name}, workqueue_adds_total{name}, workqueue_retries_total{name},
//   workqueue_queue_duration_seconds{name}, workqueue_work_duration_seconds{name},
//   workqueue_unfinished_work_seconds{name}, workqueue_longest_running_processor_seconds{name}
//
// Every series is created when its owner is constructed, so it is exported at 0 before
// the first event (a missing series breaks rate() and absent() alerts).
//
// Each binary passes its own prometheus::Registry (exposed on its /metrics). Families are
// shared: two controllers on one registry add series to the same families.
//
// Thread-safety: prometheus-cpp metrics are thread-safe; these structs are immutable
// after construction.
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace limen::kube {

// The outcome labels of controller_runtime_reconcile_total.
enum class ReconcileLabel { kSuccess, kError, kRequeue, kRequeueAfter };
const char* ReconcileLabelName(ReconcileLabel label);

struct WorkQueueMetrics {
  WorkQueueMetrics(prometheus::Registry& registry, const std::string& name);

  prometheus::Gauge& depth;
  prometheus::Counter& adds;
  prometheus::Counter& retries;
  prometheus::Histogram& queue_duration;  // seconds from Add to Get
  prometheus::Histogram& work_duration;   // seconds from Get to Done
  prometheus::Gauge& unfinished_work_seconds;
  prometheus::Gauge& longest_running_processor_seconds;
};

struct ControllerMetrics {
  ControllerMetrics(prometheus::Registry& registry, const std::string& controller);

  prometheus::Counter& ReconcileTotal(ReconcileLabel label) const;

  prometheus::Counter& success;
  prometheus::Counter& error;
  prometheus::Counter& requeue;
  prometheus::Counter& requeue_after;
  prometheus::Counter& reconcile_errors;
  prometheus::Counter& terminal_errors;
  prometheus::Counter& panics;
  prometheus::Histogram& reconcile_time;
  prometheus::Gauge& max_concurrent_reconciles;
  prometheus::Gauge& active_workers;
};

}  // namespace limen::kube
