// Prometheus metrics of the node agent, rendered from a NodeReport snapshot at scrape time
// (a prometheus::Collectable), so that a pod that leaves the node leaves /metrics with it and
// no delta bookkeeping is needed. Workload series carry node, namespace, pod, pod_uid and
// container labels; the loader's own series carry node.
//
// Thread-safety: RenderMetricFamilies is pure; ReportCollectable::Collect calls the
// snapshot function from the scraping thread, which must therefore be thread-safe.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

#include "limen/bpf/report.h"

namespace limen::bpf {

std::vector<prometheus::MetricFamily> RenderMetricFamilies(const NodeReport& report);

// Text exposition format 0.0.4 of the families (prometheus::TextSerializer).
std::string SerializeMetrics(const std::vector<prometheus::MetricFamily>& families);

class ReportCollectable : public prometheus::Collectable {
 public:
  explicit ReportCollectable(std::function<NodeReport()> snapshot)
      : snapshot_(std::move(snapshot)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    return RenderMetricFamilies(snapshot_());
  }

 private:
  std::function<NodeReport()> snapshot_;
};

}  // namespace limen::bpf
