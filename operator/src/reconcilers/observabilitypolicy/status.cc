#include "reconcilers/observabilitypolicy/status.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "limen/api/instrumented_workload.h"
#include "limen/api/well_known.h"

namespace limen::op::obspol {

NodeVerdict JudgeNode(const std::vector<api::ProbeState>* reported,
                      const std::vector<std::string>& probes) {
  if (!reported)
    return {NodeVerdict::State::kPending, "no NodeProbeState: limen-bpf-loader has not reported"};
  std::vector<std::string> pending;
  for (const auto& want : probes) {
    const api::ProbeState* found = nullptr;
    for (const auto& p : *reported) {
      if (p.name == want) found = &p;
    }
    if (!found || found->state == api::kProbePending || found->state.empty()) {
      pending.push_back(want);
      continue;
    }
    if (found->state == api::kProbeFailed || found->state == api::kProbeUnsupported) {
      std::string reason = "probe " + want + " " + found->state;
      if (!found->error.empty()) reason += ": " + found->error;
      return {NodeVerdict::State::kFailed, reason};
    }
  }
  if (pending.empty()) return {NodeVerdict::State::kLoaded, ""};
  std::string reason = "probes pending:";
  for (const auto& p : pending) reason += " " + p;
  return {NodeVerdict::State::kPending, reason};
}

namespace {

// Whether an InstrumentedWorkload's Ready condition is True. Only status.conditions is
// decoded: the rest of the status (criteria, measurements) is what makes a full decode costly.
bool IsSustained(const Object& iwl) {
  auto status = iwl.find("status");
  if (status == iwl.end() || !status->is_object()) return false;
  auto conditions = status->find("conditions");
  if (conditions == status->end() || conditions->is_null()) return false;
  std::vector<api::Condition> decoded;
  if (!api::codec::Codec<std::vector<api::Condition>>::Decode(*conditions, "status.conditions",
                                                              decoded)
           .ok()) {
    return false;
  }
  return api::IsStatusConditionTrue(decoded, api::kConditionReady);
}

}  // namespace

// One pass over the namespace's Pods; each node's decoded NodeProbeState (NodeReports) is
// looked up once and its Pods' entries found by uid.
PolicyObservation Observe(const Caches& caches, const api::ObservabilityPolicy& policy,
                          const api::Selector& selector) {
  PolicyObservation o;
  std::map<std::string, WorkloadId> workloads;
  std::map<std::string, std::shared_ptr<const NodeReport>> nodes;
  for (const auto& pod : caches.pod_index->InNamespace(policy.metadata.namespace_)) {
    if (!pod->active() || !selector.Matches(pod->Labels())) continue;
    if (auto owner = OwnerOf(caches, *pod)) workloads.emplace(WorkloadKey(*owner), *owner);
    if (pod->node().empty()) continue;
    auto [it, added] = nodes.try_emplace(std::string(pod->node()));
    if (added) it->second = caches.node_reports->Get(it->first);
    if (auto report = ReportIn(it->second.get(), *pod)) {
      o.delivered += report->measurement.delivered;
      o.dropped += report->measurement.dropped;
    }
  }
  for (auto& [key, id] : workloads) {
    o.workloads.push_back(id);
    ObjectPtr iwl = caches.instrumented_workloads.Get(key);
    if (iwl && IsSustained(*iwl)) ++o.workloads_sustained;
  }
  for (const auto& [node, report] : nodes) {
    o.nodes.push_back(node);
    const auto* probes = report && report->probes ? &*report->probes : nullptr;
    o.verdicts.emplace_back(node, JudgeNode(probes, policy.spec.probes));
  }
  return o;
}

std::string FormatCoverage(int64_t bp) {
  const int64_t tenths = (bp * 10 + 50) / 100;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld.%lld%%", static_cast<long long>(tenths / 10),
                static_cast<long long>(tenths % 10));
  return buf;
}

api::ObservabilityPolicyStatus PlanStatus(const api::ObservabilityPolicyStatus& current,
                                          int64_t generation, const PolicyObservation& o,
                                          const std::optional<std::string>& invalid,
                                          api::Time now) {
  api::ObservabilityPolicyStatus s = current;
  s.observed_generation = generation;
  api::Condition ready{
      std::string(api::kConditionReady), "", generation, std::nullopt, "", "", nullptr};
  ready.status = std::string(api::kConditionFalse);
  if (invalid) {
    ready.reason = "InvalidSpec";
    ready.message = *invalid;
    api::SetStatusCondition(s.conditions, ready, now);
    return s;
  }
  s.matched_workloads = static_cast<int64_t>(o.workloads.size());
  s.workloads_sustained = o.workloads_sustained;
  api::NodeCounts nodes;
  nodes.source = current.nodes.source;
  nodes.desired = static_cast<int64_t>(o.nodes.size());
  for (const auto& [node, verdict] : o.verdicts) {
    if (verdict.state == NodeVerdict::State::kLoaded) ++nodes.loaded;
    if (verdict.state != NodeVerdict::State::kFailed) continue;
    ++nodes.failed;
    if (nodes.failing.size() < kMaxFailingNodes)
      nodes.failing.push_back({node, verdict.reason, nullptr});
  }
  if (nodes.source.is_object() && nodes.failing.empty()) nodes.source.erase("failing");
  s.nodes = nodes;
  const int64_t total = o.delivered + o.dropped;
  if (total > 0) {
    int64_t delivered = o.delivered, all = total;
    while (delivered > INT64_MAX / 10000) {
      delivered /= 2;
      all /= 2;
    }
    s.coverage = FormatCoverage(delivered * 10000 / all);
  } else {
    s.coverage.clear();
    if (s.source.is_object()) s.source.erase("coverage");
  }
  const std::string of = std::to_string(nodes.desired);
  if (nodes.desired == 0) {
    ready.reason = "NoPodsSelected";
    ready.message = "the selector matches no running Pod";
  } else if (nodes.failed > 0) {
    ready.reason = "ProbesFailed";
    ready.message = "probes failed on " + std::to_string(nodes.failed) + " of " + of + " nodes";
  } else if (nodes.loaded == nodes.desired) {
    ready.status = std::string(api::kConditionTrue);
    ready.reason = "ProbesAttached";
    ready.message = "probes attached on all " + of + " nodes";
  } else {
    ready.reason = "ProbesPending";
    ready.message = "probes attached on " + std::to_string(nodes.loaded) + " of " + of + " nodes";
  }
  api::SetStatusCondition(s.conditions, ready, now);
  return s;
}

bool StatusChanged(const kube::Object& current, const api::ObservabilityPolicyStatus& next) {
  const kube::Object encoded = api::Encode(next);
  if (current.is_null()) return !encoded.empty();
  return encoded != current;
}

}  // namespace limen::op::obspol
