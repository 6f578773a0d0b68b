#include "limen/readiness/engine.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "format.h"
#include "limen/api/duration.h"
#include "limen/api/well_known.h"

namespace limen::readiness {
namespace {

using api::Criterion;

std::string Str(std::string_view s) { return std::string(s); }

// The measured value of one criterion, or why there is none.
struct Measured {
  std::optional<bool> met;  // nullopt: Unknown
  std::string value;
  std::string threshold;
  std::string reason;
};

std::vector<PodSample> FreshSamples(const Inputs& in) {
  std::vector<PodSample> fresh;
  const Time oldest_allowed = in.now - 3 * in.report_interval;
  for (const auto& p : in.pods) {
    if (p.reported_at >= oldest_allowed) fresh.push_back(p);
  }
  return fresh;
}

Measured MeasureStartup(const std::vector<PodSample>& fresh, const Inputs& in,
                        api::Measurements& m) {
  std::vector<int64_t> startups;
  for (const auto& p : fresh) {
    if (p.startup_nanos > 0) startups.push_back(p.startup_nanos);
  }
  const auto limit = std::chrono::duration_cast<std::chrono::nanoseconds>(in.thresholds.startup);
  Measured r{std::nullopt, "", FormatMillis(limit.count()), "NoStartupSamples"};
  if (startups.empty()) return r;
  const int64_t p95 = Percentile(startups, 95);
  m.startup.p50 = FormatMillis(Percentile(startups, 50));
  m.startup.p95 = FormatMillis(p95);
  m.startup.max = FormatMillis(*std::max_element(startups.begin(), startups.end()));
  r.value = m.startup.p95;
  r.met = p95 <= limit.count();
  r.reason = *r.met ? "WithinThreshold" : "AboveThreshold";
  return r;
}

Measured MeasureMemory(const std::vector<PodSample>& fresh, const Inputs& in,
                       api::Measurements& m) {
  int64_t largest = 0;
  for (const auto& p : fresh) largest = std::max(largest, p.rss_bytes);
  Measured r{std::nullopt, "", FormatMegabytes(in.thresholds.memory_bytes), "NoMemorySamples"};
  if (largest == 0) return r;
  m.memory_bytes = largest;
  m.memory = FormatMegabytes(largest);
  r.value = m.memory;
  r.met = largest <= in.thresholds.memory_bytes;
  r.reason = *r.met ? "WithinThreshold" : "AboveThreshold";
  return r;
}

Measured MeasureCoverage(const std::vector<PodSample>& fresh, const Inputs& in,
                         api::Measurements& m) {
  int64_t delivered = 0, total = 0;
  for (const auto& p : fresh) {
    delivered += p.delivered;
    total += p.delivered + p.dropped;
  }
  Measured r{std::nullopt, "", FormatBasisPoints(in.thresholds.coverage_percent * 100), "NoEvents"};
  if (total == 0) return r;
  // Halve both counts until delivered × 10000 cannot overflow (counters of a long-lived
  // workload can grow large); the ratio is unchanged to far better than a basis point.
  while (delivered > INT64_MAX / 10000) {
    delivered /= 2;
    total /= 2;
  }
  // Floor, so 91.99% never rounds up into meeting a 92% threshold.
  const int64_t bp = delivered * 10000 / total;
  m.coverage_basis_points = bp;
  m.coverage = FormatBasisPoints(bp);
  r.value = m.coverage;
  r.met = bp >= in.thresholds.coverage_percent * 100;
  r.reason = *r.met ? "WithinThreshold" : "BelowThreshold";
  return r;
}

const Criterion* FindCriterion(const std::vector<Criterion>& list, std::string_view name) {
  for (const auto& c : list) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Criterion ToCriterion(std::string_view name, const Measured& m, const Inputs& in, bool any_fresh) {
  Criterion c;
  c.name = Str(name);
  c.value = m.value;
  c.threshold = m.threshold;
  c.reason = any_fresh ? m.reason : (in.pods.empty() ? "NoData" : "StaleData");
  c.met = !m.met ? Str(api::kConditionUnknown)
                 : (*m.met ? Str(api::kConditionTrue) : Str(api::kConditionFalse));
  if (m.met.value_or(false)) {
    const Criterion* before = FindCriterion(in.previous_criteria, name);
    const bool held = before && before->met == api::kConditionTrue && before->met_since;
    c.met_since = held ? *before->met_since : api::TruncateToSeconds(in.now);
  }
  return c;
}

void AddCriterionTransitions(const Inputs& in, const std::vector<Criterion>& now,
                             std::vector<Transition>& out) {
  for (const auto& c : now) {
    const Criterion* before = FindCriterion(in.previous_criteria, c.name);
    const std::string from = before ? before->met : "";
    if (from == c.met) continue;
    out.push_back({c.name, from, c.met, c.reason,
                   c.name + " " +
                       (c.met == api::kConditionTrue    ? "holds"
                        : c.met == api::kConditionFalse ? "does not hold"
                                                        : "is unknown") +
                       (c.value.empty() ? "" : ": " + c.value) + " against " + c.threshold});
  }
}

std::string Count(int64_t n, int64_t of) { return std::to_string(n) + "/" + std::to_string(of); }

// The time at which `required` of the met criteria will each have held for sustainFor.
std::optional<Time> SustainedAt(const std::vector<Criterion>& criteria, const Inputs& in) {
  std::vector<Time> completes;
  for (const auto& c : criteria) {
    if (c.met == api::kConditionTrue && c.met_since) {
      // A met_since in the future (clock went back) counts from now.
      completes.push_back(std::min(*c.met_since, in.now) + in.thresholds.sustain_for);
    }
  }
  const auto k = static_cast<size_t>(in.thresholds.required_criteria);
  if (k == 0 || completes.size() < k) return std::nullopt;
  std::sort(completes.begin(), completes.end());
  return completes[k - 1];
}

void SetConditions(const Inputs& in, Evaluation& e, int64_t unknown) {
  const int64_t k = in.thresholds.required_criteria;
  api::Condition thresholds{
      Str(api::kConditionThresholdsMet), "", in.generation, std::nullopt, "", "", nullptr};
  if (e.criteria_met >= k) {
    thresholds.status = Str(api::kConditionTrue);
    thresholds.reason = "ThresholdsMet";
  } else if (e.criteria_met + unknown < k) {
    thresholds.status = Str(api::kConditionFalse);
    thresholds.reason = "ThresholdsNotMet";
  } else {
    thresholds.status = Str(api::kConditionUnknown);
    thresholds.reason = "InsufficientData";
  }
  thresholds.message =
      Count(e.criteria_met, 3) + " criteria hold now; " + std::to_string(k) + " required";

  const auto at = SustainedAt(e.criteria, in);
  e.sustained_at = at;
  e.sustained = at && *at <= in.now;
  api::Condition ready{Str(api::kConditionReady), "", in.generation, std::nullopt, "", "", nullptr};
  ready.status = Str(e.sustained ? api::kConditionTrue : api::kConditionFalse);
  if (e.sustained) {
    ready.reason = Str(api::kReasonSustained);
    ready.message = std::to_string(k) + " of 3 criteria have each held for " +
                    api::FormatDuration(in.thresholds.sustain_for);
  } else if (at) {
    ready.reason = "Sustaining";
    ready.message = "sustained at " + api::FormatTime(*at) + " if the criteria keep holding";
  } else {
    ready.reason = thresholds.reason;
    ready.message = thresholds.message;
  }
  e.conditions = in.previous_conditions;
  for (auto* c : {&thresholds, &ready}) {
    const api::Condition* before = api::FindStatusCondition(in.previous_conditions, c->type);
    const std::string from = before ? before->status : "";
    if (from != c->status)
      e.transitions.push_back({c->type, from, c->status, c->reason, c->message});
    api::SetStatusCondition(e.conditions, *c, in.now);
  }
  if (at && !e.sustained) e.requeue_after = *at - in.now;
}

// The oldest fresh sample goes stale at reported_at + 3 × interval: re-evaluate then.
void RequeueForStaleness(const std::vector<PodSample>& fresh, const Inputs& in, Evaluation& e) {
  if (fresh.empty()) return;
  Time oldest = fresh.front().reported_at;
  for (const auto& p : fresh) oldest = std::min(oldest, p.reported_at);
  const Duration until_stale = oldest + 3 * in.report_interval - in.now;
  if (!e.requeue_after || until_stale < *e.requeue_after) e.requeue_after = until_stale;
}

}  // namespace

int64_t Percentile(std::vector<int64_t> values, int p) {
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const size_t rank = (static_cast<size_t>(p) * values.size() + 99) / 100;
  return values[std::max<size_t>(rank, 1) - 1];
}

Duration HeldFor(const api::Criterion& c, Time now) {
  if (c.met != api::kConditionTrue || !c.met_since || *c.met_since > now) return Duration::zero();
  return now - *c.met_since;
}

Evaluation Evaluate(const Inputs& in) {
  Evaluation e;
  const std::vector<PodSample> fresh = FreshSamples(in);
  // sampledAt is when the data was reported, not when it was evaluated: an evaluation that
  // sees the same reports yields the same status, so re-evaluating never rewrites it.
  if (!fresh.empty()) {
    Time newest = fresh.front().reported_at;
    for (const auto& p : fresh) newest = std::max(newest, p.reported_at);
    e.measurements.sampled_at = api::TruncateToSeconds(newest);
  }
  const std::array<std::pair<std::string_view, Measured>, 3> measured = {{
      {api::kCriterionStartup, MeasureStartup(fresh, in, e.measurements)},
      {api::kCriterionMemory, MeasureMemory(fresh, in, e.measurements)},
      {api::kCriterionCoverage, MeasureCoverage(fresh, in, e.measurements)},
  }};
  int64_t unknown = 0;
  for (const auto& [name, m] : measured) {
    e.criteria.push_back(ToCriterion(name, m, in, !fresh.empty()));
    e.criteria_met += m.met.value_or(false) ? 1 : 0;
    unknown += m.met ? 0 : 1;
  }
  e.criteria_summary = Count(e.criteria_met, 3);
  AddCriterionTransitions(in, e.criteria, e.transitions);
  SetConditions(in, e, unknown);
  RequeueForStaleness(fresh, in, e);
  return e;
}

}  // namespace limen::readiness
