#include "reconcilers/instrumentedworkload/metrics.h"

#include <algorithm>
#include <utility>

#include "limen/api/well_known.h"
#include "limen/serving/observability.h"

namespace limen::op::iwl {
namespace {

// What one workload's eleven samples take in the text, roughly: reserved up front.
constexpr size_t kTextBytesPerWorkload = 1200;

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Snapshot MakeSnapshot(const readiness::Evaluation& e, const api::ReadinessThresholds& t,
                      const std::vector<readiness::PodSample>& fresh) {
  Snapshot s;
  std::vector<int64_t> startups;
  for (const auto& p : fresh) {
    if (p.startup_nanos > 0) startups.push_back(p.startup_nanos);
  }
  for (const auto& c : e.criteria) {
    CriterionSample out{c.name, std::nullopt, 0, c.met == api::kConditionTrue};
    const bool known = c.met != api::kConditionUnknown;
    if (c.name == api::kCriterionStartup) {
      out.threshold = Seconds(t.startup);
      if (known && !startups.empty())
        out.value = static_cast<double>(readiness::Percentile(startups, 95)) / 1e9;
    } else if (c.name == api::kCriterionMemory) {
      out.threshold = static_cast<double>(t.memory_bytes);
      if (known) out.value = static_cast<double>(e.measurements.memory_bytes);
    } else if (c.name == api::kCriterionCoverage) {
      out.threshold = static_cast<double>(t.coverage_percent) / 100.0;
      if (known) out.value = static_cast<double>(e.measurements.coverage_basis_points) / 10000.0;
    }
    s.criteria.push_back(std::move(out));
  }
  s.sustained = e.sustained;
  if (e.sustained_at) s.sustaining_since = *e.sustained_at - t.sustain_for;
  return s;
}

void WorkloadMetrics::Set(const std::string& ns, const std::string& workload, Snapshot s) {
  std::lock_guard lock(mu_);
  series_.insert_or_assign({ns, workload}, std::move(s));
}

void WorkloadMetrics::Remove(const std::string& ns, const std::string& workload) {
  std::lock_guard lock(mu_);
  series_.erase({ns, workload});
}

size_t WorkloadMetrics::Size() const {
  std::lock_guard lock(mu_);
  return series_.size();
}

void WorkloadMetrics::AppendText(std::string& out) const {
  const api::Time now = clock_.Now();
  std::lock_guard lock(mu_);
  if (series_.empty()) return;
  out.reserve(out.size() + series_.size() * kTextBytesPerWorkload);
  serving::TextExposition text(out);
  // One family per call; the header only once a sample has a value.
  auto criteria = [&](const char* name, const char* help, auto value_of) {
    bool any = false;
    for (const auto& [key, snap] : series_) {
      for (const auto& c : snap.criteria) {
        const std::optional<double> v = value_of(c);
        if (!v) continue;
        if (!std::exchange(any, true)) text.Family(name, help, "gauge");
        text.Sample(
            name, {{"namespace", key.first}, {"workload", key.second}, {"criterion", c.name}}, *v);
      }
    }
  };
  criteria("limen_workload_criterion_value",
           "Measured value of a readiness criterion (Startup p95 seconds, Memory bytes, Coverage "
           "ratio)",
           [](const CriterionSample& c) { return c.value; });
  criteria("limen_workload_criterion_threshold",
           "Threshold of a readiness criterion, in the unit of its value",
           [](const CriterionSample& c) { return std::optional<double>(c.threshold); });
  criteria("limen_workload_criterion_met", "1 when the readiness criterion holds now, else 0",
           [](const CriterionSample& c) { return std::optional<double>(c.met ? 1 : 0); });
  auto workloads = [&](const char* name, const char* help, auto value_of) {
    text.Family(name, help, "gauge");
    for (const auto& [key, snap] : series_) {
      text.Sample(name, {{"namespace", key.first}, {"workload", key.second}}, value_of(snap));
    }
  };
  workloads("limen_workload_sustained",
            "1 when the workload is Ready (requiredCriteria sustained for sustainFor)",
            [](const Snapshot& s) { return s.sustained ? 1.0 : 0.0; });
  workloads("limen_workload_sustained_seconds",
            "Seconds requiredCriteria criteria have held together", [now](const Snapshot& s) {
              return s.sustaining_since ? std::max(0.0, Seconds(now - *s.sustaining_since)) : 0.0;
            });
}

}  // namespace limen::op::iwl
