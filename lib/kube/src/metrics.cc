#include "limen/kube/metrics.h"

#include <prometheus/family.h>

namespace limen::kube {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// client-go's workqueue buckets: 10^-8 … 10^1 s.
Histogram::BucketBoundaries QueueBuckets() {
  return {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10};
}

// controller-runtime's reconcile_time_seconds buckets.
Histogram::BucketBoundaries ReconcileBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
          6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60};
}

prometheus::Counter& Counter(prometheus::Registry& r, const char* name, const char* help,
                             const prometheus::Labels& labels) {
  return BuildCounter().Name(name).Help(help).Register(r).Add(labels);
}

prometheus::Gauge& Gauge(prometheus::Registry& r, const char* name, const char* help,
                         const prometheus::Labels& labels) {
  return BuildGauge().Name(name).Help(help).Register(r).Add(labels);
}

prometheus::Histogram& Hist(prometheus::Registry& r, const char* name, const char* help,
                            const prometheus::Labels& labels,
                            const Histogram::BucketBoundaries& buckets) {
  return BuildHistogram().Name(name).Help(help).Register(r).Add(labels, buckets);
}

constexpr const char kReconcileTotal[] = "controller_runtime_reconcile_total";
constexpr const char kReconcileTotalHelp[] = "Total number of reconciliations per controller";

}  // namespace

const char* ReconcileLabelName(ReconcileLabel label) {
  switch (label) {
    case ReconcileLabel::kSuccess: return "success";
    case ReconcileLabel::kError: return "error";
    case ReconcileLabel::kRequeue: return "requeue";
    case ReconcileLabel::kRequeueAfter: return "requeue_after";
  }
  return "unknown";
}

WorkQueueMetrics::WorkQueueMetrics(prometheus::Registry& r, const std::string& name)
    : depth(Gauge(r, "workqueue_depth", "Current depth of workqueue", {{"name", name}})),
      adds(Counter(r, "workqueue_adds_total", "Total number of adds handled by workqueue",
                   {{"name", name}})),
      retries(Counter(r, "workqueue_retries_total", "Total number of retries handled by workqueue",
                      {{"name", name}})),
      queue_duration(Hist(r, "workqueue_queue_duration_seconds",
                          "How long in seconds an item stays in workqueue before being requested",
                          {{"name", name}}, QueueBuckets())),
      work_duration(Hist(r, "workqueue_work_duration_seconds",
                         "How long in seconds processing an item from workqueue takes",
                         {{"name", name}}, QueueBuckets())),
      unfinished_work_seconds(
          Gauge(r, "workqueue_unfinished_work_seconds",
                "How many seconds of work has been done that is in progress and hasn't "
                "been observed by work_duration",
                {{"name", name}})),
      longest_running_processor_seconds(
          Gauge(r, "workqueue_longest_running_processor_seconds",
                "How many seconds has the longest running processor for "
                "workqueue been running",
                {{"name", name}})) {}

ControllerMetrics::ControllerMetrics(prometheus::Registry& r, const std::string& c)
    : success(Counter(r, kReconcileTotal, kReconcileTotalHelp,
                      {{"controller", c}, {"result", "success"}})),
      error(Counter(r, kReconcileTotal, kReconcileTotalHelp,
                    {{"controller", c}, {"result", "error"}})),
      requeue(Counter(r, kReconcileTotal, kReconcileTotalHelp,
                      {{"controller", c}, {"result", "requeue"}})),
      requeue_after(Counter(r, kReconcileTotal, kReconcileTotalHelp,
                            {{"controller", c}, {"result", "requeue_after"}})),
      reconcile_errors(Counter(r, "controller_runtime_reconcile_errors_total",
                               "Total number of reconciliation errors per controller",
                               {{"controller", c}})),
      terminal_errors(Counter(r, "controller_runtime_terminal_reconcile_errors_total",
                              "Total number of terminal reconciliation errors per controller",
                              {{"controller", c}})),
      panics(Counter(r, "controller_runtime_reconcile_panics_total",
                     "Total number of reconciliation panics (exceptions) per controller",
                     {{"controller", c}})),
      reconcile_time(Hist(r, "controller_runtime_reconcile_time_seconds",
                          "Length of time per reconciliation per controller", {{"controller", c}},
                          ReconcileBuckets())),
      max_concurrent_reconciles(Gauge(r, "controller_runtime_max_concurrent_reconciles",
                                      "Maximum number of concurrent reconciles per controller",
                                      {{"controller", c}})),
      active_workers(Gauge(r, "controller_runtime_active_workers",
                           "Number of currently used workers per controller",
                           {{"controller", c}})) {}

prometheus::Counter& ControllerMetrics::ReconcileTotal(ReconcileLabel label) const {
  switch (label) {
    case ReconcileLabel::kSuccess: return success;
    case ReconcileLabel::kError: return error;
    case ReconcileLabel::kRequeue: return requeue;
    case ReconcileLabel::kRequeueAfter: return requeue_after;
  }
  return error;
}

}  // namespace limen::kube
