#include "reconcilers/instrumentedworkload/metrics.h"

#include <algorithm>

#include "limen/api/well_known.h"

namespace limen::op::iwl {
namespace {

prometheus::Family<prometheus::Gauge>& Gauge(prometheus::Registry& r, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

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
      if (known && !startups.empty()) out.value = readiness::Percentile(startups, 95) / 1e9;
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

WorkloadMetrics::WorkloadMetrics(prometheus::Registry& registry)
    : value_(Gauge(registry, "limen_workload_criterion_value",
                   "Measured value of a readiness criterion (Startup p95 seconds, Memory bytes, "
                   "Coverage ratio)")),
      threshold_(Gauge(registry, "limen_workload_criterion_threshold",
                       "Threshold of a readiness criterion, in the unit of its value")),
      met_(Gauge(registry, "limen_workload_criterion_met",
                 "1 when the readiness criterion holds now, else 0")),
      sustained_(Gauge(registry, "limen_workload_sustained",
                       "1 when the workload is Ready (requiredCriteria sustained for sustainFor)")),
      sustained_seconds_(Gauge(registry, "limen_workload_sustained_seconds",
                               "Seconds requiredCriteria criteria have held together")) {}

void WorkloadMetrics::Set(const std::string& ns, const std::string& workload, const Snapshot& snap,
                          api::Time now) {
  std::lock_guard lock(mu_);
  Series& s = series_[{ns, workload}];
  const prometheus::Labels base{{"namespace", ns}, {"workload", workload}};
  for (const auto& c : snap.criteria) {
    prometheus::Labels labels = base;
    labels["criterion"] = c.name;
    if (!s.threshold.count(c.name)) {
      s.threshold[c.name] = &threshold_.Add(labels);
      s.met[c.name] = &met_.Add(labels);
    }
    s.threshold[c.name]->Set(c.threshold);
    s.met[c.name]->Set(c.met ? 1 : 0);
    auto it = s.value.find(c.name);
    if (c.value) {
      if (it == s.value.end()) it = s.value.emplace(c.name, &value_.Add(labels)).first;
      it->second->Set(*c.value);
    } else if (it != s.value.end()) {
      value_.Remove(it->second);
      s.value.erase(it);
    }
  }
  if (!s.sustained) {
    s.sustained = &sustained_.Add(base);
    s.sustained_seconds = &sustained_seconds_.Add(base);
  }
  s.snapshot = snap;
  s.sustained->Set(snap.sustained ? 1 : 0);
  s.sustained_seconds->Set(
      snap.sustaining_since ? std::max(0.0, Seconds(now - *snap.sustaining_since)) : 0.0);
}

void WorkloadMetrics::RemoveLocked(Series& s) {
  for (auto& [_, g] : s.value) value_.Remove(g);
  for (auto& [_, g] : s.threshold) threshold_.Remove(g);
  for (auto& [_, g] : s.met) met_.Remove(g);
  if (s.sustained) sustained_.Remove(s.sustained);
  if (s.sustained_seconds) sustained_seconds_.Remove(s.sustained_seconds);
}

void WorkloadMetrics::Remove(const std::string& ns, const std::string& workload) {
  std::lock_guard lock(mu_);
  auto it = series_.find({ns, workload});
  if (it == series_.end()) return;
  RemoveLocked(it->second);
  series_.erase(it);
}

void WorkloadMetrics::Refresh(api::Time now) {
  std::lock_guard lock(mu_);
  for (auto& [_, s] : series_) {
    const auto& since = s.snapshot.sustaining_since;
    if (s.sustained_seconds) {
      s.sustained_seconds->Set(since ? std::max(0.0, Seconds(now - *since)) : 0.0);
    }
  }
}

size_t WorkloadMetrics::Size() const {
  std::lock_guard lock(mu_);
  return series_.size();
}

}  // namespace limen::op::iwl
