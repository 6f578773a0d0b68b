#include "reconcilers/instrumentedworkload/status.h"

#include "limen/api/well_known.h"

namespace limen::op::iwl {
Object NewInstrumentedWorkload(const WorkloadId& id) {
  const std::string api_version = WorkloadApiVersion(id.kind);
  return Object{
      {"apiVersion", std::string(api::kApiVersion)},
      {"kind", std::string(api::kKindInstrumentedWorkload)},
      {"metadata",
       {{"name", api::InstrumentedWorkloadName(id.kind, id.name)},
        {"namespace", id.ns},
        {"labels", {{std::string(api::kLabelManagedBy), std::string(api::kManagedByLimen)}}},
        {"ownerReferences", Object::array({{{"apiVersion", api_version},
                                            {"kind", id.kind},
                                            {"name", id.name},
                                            {"uid", id.uid},
                                            {"controller", true},
                                            {"blockOwnerDeletion", true}}})}}},
      {"spec",
       {{"workloadRef",
         {{"apiVersion", api_version}, {"kind", id.kind}, {"name", id.name}, {"uid", id.uid}}}}}};
}

WorkloadObservation Observe(const Caches& caches, const WorkloadId& id,
                            const std::vector<PodSummaryPtr>& pods) {
  WorkloadObservation o;
  std::vector<InjectedEntry> current_renderings;
  for (auto& p : ObservabilityPoliciesIn(caches, id.ns)) {
    if (!SelectsAny(p.selector, pods)) continue;
    o.policies.push_back(
        {std::string(api::kKindObservabilityPolicy), p.policy.metadata.name, nullptr});
    if (!o.thresholds) {
      auto t = api::ResolveReadiness(p.policy.spec.readiness);
      if (t.ok()) {
        o.thresholds = *t;
        o.thresholds_from = p.policy.metadata.name;
      }
    }
  }
  for (auto& p : ResiliencePoliciesIn(caches, id.ns)) {
    if (!SelectsAny(p.selector, pods)) continue;
    o.policies.push_back(
        {std::string(api::kKindResiliencePolicy), p.policy.metadata.name, nullptr});
    current_renderings.push_back({p.policy.metadata.name, p.policy.status.rendered_config.hash});
  }
  for (const auto& pod : pods) {
    ++o.pods.total;
    if (IsInjectedAnnotation(pod->injected(), current_renderings)) ++o.pods.injected;
    auto report = ReportFor(caches, *pod);
    if (!report) continue;
    ++o.pods.instrumented;
    if (!report->reported_at) continue;
    const auto& m = report->measurement;
    o.samples.push_back({std::string(pod->uid()), m.startup_nanos, m.rss_bytes, m.delivered,
                         m.dropped, *report->reported_at});
  }
  return o;
}

StatusPlan PlanStatus(const api::InstrumentedWorkloadStatus& current, int64_t generation,
                      const WorkloadObservation& o, api::Time now,
                      readiness::Duration report_interval) {
  StatusPlan plan;
  api::InstrumentedWorkloadStatus& s = plan.status;
  s = current;
  s.observed_generation = generation;
  s.policies = o.policies;
  // Keep the unknown fields of the stored pod counts, replace the known ones.
  s.pods.total = o.pods.total;
  s.pods.injected = o.pods.injected;
  s.pods.instrumented = o.pods.instrumented;
  if (!o.thresholds) {
    // Nothing to measure against: no criteria, no readiness verdict. The keys go too: an
    // empty string would not pass the CRD's patterns.
    if (s.source.is_object()) {
      for (const char* key : {"measurements", "criteria", "criteriaMet", "criteriaSummary"}) {
        s.source.erase(key);
      }
    }
    s.measurements = api::Measurements{};
    s.criteria.clear();
    s.criteria_met = 0;
    s.criteria_summary.clear();
    api::RemoveStatusCondition(s.conditions, api::kConditionThresholdsMet);
    api::RemoveStatusCondition(s.conditions, api::kConditionReady);
    return plan;
  }
  readiness::Inputs in;
  in.pods = o.samples;
  in.thresholds = *o.thresholds;
  in.previous_criteria = current.criteria;
  in.previous_conditions = current.conditions;
  in.generation = generation;
  in.now = now;
  in.report_interval = report_interval;
  readiness::Evaluation e = readiness::Evaluate(in);
  // Measurements are rebuilt from scratch: a value that became unknown must disappear
  // rather than be written as "" (which the CRD's patterns reject).
  s.measurements = e.measurements;
  if (s.source.is_object()) s.source.erase("measurements");
  s.criteria = e.criteria;
  s.criteria_met = e.criteria_met;
  s.criteria_summary = e.criteria_summary;
  s.conditions = e.conditions;
  plan.evaluation = std::move(e);
  return plan;
}

bool StatusChanged(const Object& current, const api::InstrumentedWorkloadStatus& next) {
  const Object encoded = api::Encode(next);
  if (current.is_null()) return !encoded.empty();
  return encoded != current;
}

EventSpec TransitionEvent(const readiness::Transition& t) {
  EventSpec e;
  const bool was_true = t.from == api::kConditionTrue;
  const bool is_true = t.to == api::kConditionTrue;
  if (was_true && !is_true) e.type = kube::EventType::kWarning;
  const std::string suffix = is_true ? "Met" : t.to == api::kConditionFalse ? "NotMet" : "Unknown";
  if (t.subject == api::kConditionReady) {
    e.reason =
        is_true ? "Sustained" : (t.to == api::kConditionFalse ? "NotSustained" : "ReadyUnknown");
  } else if (t.subject == api::kConditionThresholdsMet) {
    e.reason = std::string("Thresholds") + suffix;
  } else {
    e.reason = t.subject + suffix;
  }
  e.note = t.message.empty() ? t.subject + " is " + t.to : t.message;
  if (!t.from.empty()) e.note += " (was " + t.from + ")";
  return e;
}

}  // namespace limen::op::iwl
