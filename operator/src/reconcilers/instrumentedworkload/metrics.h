// The readiness metrics of every InstrumentedWorkload, labelled {namespace, workload,
// criterion} where `workload` is the InstrumentedWorkload's name (e.g. deployment-web):
//
//   limen_workload_criterion_value      the measured value, in base units: Startup p95 in
//                                       seconds, Memory in bytes, Coverage as a ratio
//                                       (0.952); absent while the criterion is Unknown
//   limen_workload_criterion_threshold  the threshold in the same unit
//   limen_workload_criterion_met        1 when the criterion holds now, else 0
//   limen_workload_sustained            {namespace, workload}: 1 when Ready (Sustained)
//   limen_workload_sustained_seconds    {namespace, workload}: how long requiredCriteria
//                                       criteria have held together (the progress towards
//                                       sustainFor); 0 when too few hold
//
// Snapshot is computed by a pure function of the evaluation; WorkloadMetrics owns the
// series (created on Set, removed on Remove so deleted workloads leave no series behind).
// sustained_seconds moves with time between evaluations: Refresh(now) recomputes it (the
// operator calls it every second and before nothing else).
//
// Thread-safety: WorkloadMetrics is safe from any thread (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "limen/readiness/engine.h"

namespace limen::op::iwl {

struct CriterionSample {
  std::string name;
  std::optional<double> value;
  double threshold = 0;
  bool met = false;
  friend bool operator==(const CriterionSample&, const CriterionSample&) = default;
};

struct Snapshot {
  std::vector<CriterionSample> criteria;
  bool sustained = false;
  // When requiredCriteria criteria started to hold together; nullopt when too few hold.
  std::optional<api::Time> sustaining_since;
};

// The metrics of one evaluation. `fresh` are the samples the engine used (not stale).
Snapshot MakeSnapshot(const readiness::Evaluation& e, const api::ReadinessThresholds& t,
                      const std::vector<readiness::PodSample>& fresh);

class WorkloadMetrics {
 public:
  explicit WorkloadMetrics(prometheus::Registry& registry);
  WorkloadMetrics(const WorkloadMetrics&) = delete;
  WorkloadMetrics& operator=(const WorkloadMetrics&) = delete;

  void Set(const std::string& ns, const std::string& workload, const Snapshot& s, api::Time now);
  void Remove(const std::string& ns, const std::string& workload);
  void Refresh(api::Time now);
  size_t Size() const;

 private:
  struct Series {
    Snapshot snapshot;
    std::map<std::string, prometheus::Gauge*> value, threshold, met;  // by criterion
    prometheus::Gauge* sustained = nullptr;
    prometheus::Gauge* sustained_seconds = nullptr;
  };
  void RemoveLocked(Series& s);

  prometheus::Family<prometheus::Gauge>& value_;
  prometheus::Family<prometheus::Gauge>& threshold_;
  prometheus::Family<prometheus::Gauge>& met_;
  prometheus::Family<prometheus::Gauge>& sustained_;
  prometheus::Family<prometheus::Gauge>& sustained_seconds_;

  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Series> series_;  // guarded by mu_
};

}  // namespace limen::op::iwl
