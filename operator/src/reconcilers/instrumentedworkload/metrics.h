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
// Snapshot is computed by a pure function of the evaluation. WorkloadMetrics keeps the latest
// Snapshot per workload (Set; Remove so deleted workloads leave no series behind) and writes
// the five families straight into the /metrics text at scrape time (AppendText) — not as
// prometheus-cpp series, which held ≈ 450 B each (≈ 5 MB at 1,000 workloads) and were all
// built again as objects on every scrape. sustained_seconds is computed from the clock when
// rendered, so it moves with time between evaluations without a refresh loop.
//
// Thread-safety: WorkloadMetrics is safe from any thread (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "limen/kube/clock.h"
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
  explicit WorkloadMetrics(const kube::Clock& clock) : clock_(clock) {}
  WorkloadMetrics(const WorkloadMetrics&) = delete;
  WorkloadMetrics& operator=(const WorkloadMetrics&) = delete;

  void Set(const std::string& ns, const std::string& workload, Snapshot s);
  void Remove(const std::string& ns, const std::string& workload);
  size_t Size() const;
  // The families in the text exposition format (serving::AppendMetrics), workloads sorted
  // by namespace and name; a family with no series is left out.
  void AppendText(std::string& out) const;

 private:
  const kube::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Snapshot> series_;  // guarded by mu_
};

}  // namespace limen::op::iwl
