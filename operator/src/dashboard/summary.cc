#include "dashboard/summary.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "limen/api/conditions.h"
#include "limen/api/duration.h"
#include "limen/api/instrumented_workload.h"
#include "limen/api/node_probe_state.h"
#include "limen/api/observability_policy.h"
#include "limen/api/quantity.h"
#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/api/well_known.h"

namespace limen::op::dashboard {
namespace {

using api::Json;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Json TimeOrNull(const std::optional<api::Time>& t) {
  return t ? Json(api::FormatTime(*t)) : Json(nullptr);
}

Json StringOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

// {status, reason, message, lastTransitionTime} of one condition; Unknown when absent.
Json ConditionJson(const std::vector<api::Condition>& conditions, std::string_view type) {
  const api::Condition* c = api::FindStatusCondition(conditions, type);
  if (c == nullptr) {
    return {{"status", std::string(api::kConditionUnknown)},
            {"reason", ""},
            {"message", ""},
            {"lastTransitionTime", nullptr}};
  }
  return {{"status", c->status.empty() ? std::string(api::kConditionUnknown) : c->status},
          {"reason", c->reason},
          {"message", c->message},
          {"lastTransitionTime", TimeOrNull(c->last_transition_time)}};
}

int64_t Seconds(nanoseconds d) { return duration_cast<seconds>(d).count(); }

// The thresholds a workload is measured against, from the ObservabilityPolicy it names.
struct Readiness {
  api::ReadinessThresholds thresholds;
  std::string sustain_for;  // as written (defaults applied), e.g. "2160h"
};
using ReadinessByPolicy = std::map<std::string, Readiness>;  // "namespace/name"

// The identity every row starts with, read from raw JSON so that an object that does not
// decode is still listed.
Json Identity(const Object& obj) {
  return {{"namespace", NamespaceOf(obj)}, {"name", NameOf(obj)}};
}

Json ObservabilityPolicyRow(const Object& obj, ReadinessByPolicy& readiness) {
  Json row = Identity(obj);
  row["kind"] = std::string(api::kKindObservabilityPolicy);
  auto decoded = api::Decode<api::ObservabilityPolicy>(obj);
  if (!decoded.ok()) {
    row["decodeError"] = decoded.status().message();
    row["ready"] = ConditionJson({}, api::kConditionReady);
    return row;
  }
  api::ObservabilityPolicy& p = *decoded;
  api::SetDefaults(p);
  const auto& s = p.status;
  row["generation"] = p.metadata.generation;
  row["observedGeneration"] = s.observed_generation;
  row["ready"] = ConditionJson(s.conditions, api::kConditionReady);
  row["matchedWorkloads"] = s.matched_workloads;
  row["workloadsSustained"] = s.workloads_sustained;
  Json failing = Json::array();
  for (const auto& f : s.nodes.failing) failing.push_back({{"node", f.node}, {"reason", f.reason}});
  row["nodes"] = {{"desired", s.nodes.desired},
                  {"loaded", s.nodes.loaded},
                  {"failed", s.nodes.failed},
                  {"failing", failing}};
  row["coverage"] = StringOrNull(s.coverage);
  row["probes"] = p.spec.probes;
  const api::Readiness& r = p.spec.readiness.value_or(api::Readiness{});
  row["readiness"] = {{"startupMillis", r.startup_millis.value_or(0)},
                      {"memory", r.memory.value_or("")},
                      {"coveragePercent", r.coverage_percent.value_or(0)},
                      {"requiredCriteria", r.required_criteria.value_or(0)},
                      {"sustainFor", r.sustain_for.value_or("")}};
  if (auto t = api::ResolveReadiness(p.spec.readiness); t.ok()) {
    readiness[p.metadata.namespace_ + "/" + p.metadata.name] = {*t, r.sustain_for.value_or("")};
  } else {
    row["decodeError"] = t.status().message();
  }
  return row;
}

Json ResiliencePolicyRow(const Object& obj) {
  Json row = Identity(obj);
  row["kind"] = std::string(api::kKindResiliencePolicy);
  auto decoded = api::Decode<api::ResiliencePolicy>(obj);
  if (!decoded.ok()) {
    row["decodeError"] = decoded.status().message();
    row["ready"] = ConditionJson({}, api::kConditionReady);
    return row;
  }
  const auto& s = decoded->status;
  row["generation"] = decoded->metadata.generation;
  row["observedGeneration"] = s.observed_generation;
  row["ready"] = ConditionJson(s.conditions, api::kConditionReady);
  row["matchedWorkloads"] = s.matched_workloads;
  row["injectedPods"] = s.injected_pods;
  row["renderedConfig"] = s.rendered_config.name.empty() ? Json(nullptr)
                                                         : Json{{"name", s.rendered_config.name},
                                                                {"hash", s.rendered_config.hash}};
  return row;
}

// A criterion's value or threshold in base units (Startup seconds, Memory bytes, Coverage
// ratio) so that the page can sort by it; null when the text does not parse.
Json BaseValue(std::string_view criterion, const std::string& text) {
  if (text.empty()) return nullptr;
  if (criterion == api::kCriterionStartup) {
    auto d = api::ParseDuration(text);
    if (!d.ok()) return nullptr;
    return static_cast<double>(d->count()) / 1e9;
  }
  if (criterion == api::kCriterionMemory) {
    auto q = api::ParseQuantity(text);
    if (!q.ok()) return nullptr;
    auto v = q->Value();
    return v.ok() ? Json(*v) : Json(nullptr);
  }
  if (criterion == api::kCriterionCoverage && text.back() == '%') {
    double percent = 0;
    const char* end = text.data() + text.size() - 1;
    auto [ptr, ec] = std::from_chars(text.data(), end, percent);
    if (ec != std::errc() || ptr != end) return nullptr;
    return percent / 100.0;
  }
  return nullptr;
}

Json CriterionRow(std::string_view name, const api::Criterion* c,
                  const std::optional<Readiness>& readiness, api::Time now) {
  Json row = {{"name", std::string(name)}};
  if (c == nullptr) {
    row.update({{"met", std::string(api::kConditionUnknown)},
                {"value", nullptr},
                {"threshold", nullptr},
                {"valueBase", nullptr},
                {"thresholdBase", nullptr},
                {"metSince", nullptr},
                {"heldSeconds", 0},
                {"progress", readiness ? Json(0.0) : Json(nullptr)},
                {"reason", "NotReported"}});
    return row;
  }
  const bool met = c->met == api::kConditionTrue;
  const nanoseconds held =
      met && c->met_since ? std::max(nanoseconds(0), now - *c->met_since) : nanoseconds(0);
  row.update({{"met", c->met.empty() ? std::string(api::kConditionUnknown) : c->met},
              {"value", StringOrNull(c->value)},
              {"threshold", StringOrNull(c->threshold)},
              {"valueBase", BaseValue(name, c->value)},
              {"thresholdBase", BaseValue(name, c->threshold)},
              {"metSince", TimeOrNull(c->met_since)},
              {"heldSeconds", Seconds(held)},
              {"progress",
               readiness ? Json(Progress(held, readiness->thresholds.sustain_for)) : Json(nullptr)},
              {"reason", c->reason}});
  return row;
}

std::string WorkloadState(const std::vector<api::Condition>& conditions) {
  if (api::IsStatusConditionTrue(conditions, api::kConditionReady)) return kStateSustained;
  if (api::IsStatusConditionTrue(conditions, api::kConditionThresholdsMet))
    return kStateThresholdsMet;
  if (api::IsStatusConditionFalse(conditions, api::kConditionThresholdsMet)) return kStateNotMet;
  return kStateUnknown;
}

// The first ObservabilityPolicy the workload lists (the operator lists them first, by name,
// and measures against the first: iwl::Observe) whose thresholds resolve.
std::optional<std::pair<std::string, Readiness>> ThresholdsOf(
    const std::string& ns, const std::vector<api::PolicyRef>& policies,
    const ReadinessByPolicy& readiness) {
  for (const auto& ref : policies) {
    if (ref.kind != api::kKindObservabilityPolicy) continue;
    auto it = readiness.find(ns + "/" + ref.name);
    if (it != readiness.end()) return std::make_pair(ref.name, it->second);
  }
  return std::nullopt;
}

Json WorkloadRow(const Object& obj, const ReadinessByPolicy& readiness, api::Time now) {
  Json row = Identity(obj);
  auto decoded = api::Decode<api::InstrumentedWorkload>(obj);
  api::InstrumentedWorkload w;
  if (decoded.ok()) {
    w = std::move(*decoded);
  } else {
    row["decodeError"] = decoded.status().message();
  }
  const auto& s = w.status;
  row["workload"] = {{"kind", w.spec.workload_ref.kind}, {"name", w.spec.workload_ref.name}};
  row["state"] = WorkloadState(s.conditions);
  row["ready"] = ConditionJson(s.conditions, api::kConditionReady);
  row["thresholdsMet"] = ConditionJson(s.conditions, api::kConditionThresholdsMet);
  Json policies = Json::array();
  for (const auto& p : s.policies) policies.push_back({{"kind", p.kind}, {"name", p.name}});
  row["policies"] = policies;
  row["pods"] = {{"total", s.pods.total},
                 {"injected", s.pods.injected},
                 {"instrumented", s.pods.instrumented}};
  row["criteriaMet"] = s.criteria_met;
  row["criteriaSummary"] = StringOrNull(s.criteria_summary);
  row["sampledAt"] = TimeOrNull(s.measurements.sampled_at);

  const auto from = ThresholdsOf(w.metadata.namespace_, s.policies, readiness);
  const std::optional<Readiness> r =
      from ? std::optional<Readiness>(from->second) : std::optional<Readiness>();
  row["thresholdsFrom"] = from ? Json(from->first) : Json(nullptr);
  row["requiredCriteria"] = r ? Json(r->thresholds.required_criteria) : Json(nullptr);
  row["sustainFor"] = r ? Json(r->sustain_for) : Json(nullptr);
  row["sustainForSeconds"] = r ? Json(Seconds(r->thresholds.sustain_for)) : Json(nullptr);

  Json criteria = Json::array();
  std::vector<nanoseconds> held;  // of the criteria that hold now
  for (std::string_view name :
       {api::kCriterionStartup, api::kCriterionMemory, api::kCriterionCoverage}) {
    const api::Criterion* c = nullptr;
    for (const auto& candidate : s.criteria) {
      if (candidate.name == name) c = &candidate;
    }
    Json cr = CriterionRow(name, c, r, now);
    if (cr["met"] == api::kConditionTrue) held.push_back(seconds(cr["heldSeconds"].get<int64_t>()));
    criteria.push_back(std::move(cr));
  }
  row["criteria"] = criteria;

  // Sustained needs requiredCriteria criteria to have each held for sustainFor: the window
  // of the requiredCriteria-th longest-holding criterion is the one that decides.
  if (!r) {
    row["sustainProgress"] = nullptr;
    row["sustainRemainingSeconds"] = nullptr;
  } else if (row["state"] == kStateSustained) {
    // The status is the verdict; the window may read short only if sustainFor changed since.
    row["sustainProgress"] = 1.0;
    row["sustainRemainingSeconds"] = 0;
  } else {
    const int64_t required = std::max<int64_t>(r->thresholds.required_criteria, 1);
    std::sort(held.begin(), held.end(), std::greater<>());
    if (static_cast<int64_t>(held.size()) < required) {
      row["sustainProgress"] = 0.0;
      row["sustainRemainingSeconds"] = nullptr;
    } else {
      const nanoseconds window = held[static_cast<size_t>(required - 1)];
      row["sustainProgress"] = Progress(window, r->thresholds.sustain_for);
      row["sustainRemainingSeconds"] =
          Seconds(std::max(nanoseconds(0), r->thresholds.sustain_for - window));
    }
  }
  return row;
}

bool IsFailingProbe(const api::ProbeState& p) {
  return p.state == api::kProbeFailed || p.state == api::kProbeUnsupported;
}

Json NodeRow(const Object& obj, const std::map<std::string, int64_t>& scheduled,
             const OperatorInfo& info, api::Time now) {
  Json row = {{"name", NameOf(obj)}};
  auto decoded = api::Decode<api::NodeProbeState>(obj);
  api::NodeProbeState n;
  if (decoded.ok()) {
    n = std::move(*decoded);
  } else {
    row["decodeError"] = decoded.status().message();
  }
  const auto& s = n.status;
  row["kernel"] = {{"release", s.kernel.release},        {"btf", s.kernel.btf},
                   {"ringBuffer", s.kernel.ring_buffer}, {"tracepoints", s.kernel.tracepoints},
                   {"uprobes", s.kernel.uprobes},        {"kprobes", s.kernel.kprobes},
                   {"fentry", s.kernel.fentry}};
  Json probes = Json::array(), failing = Json::array();
  std::map<std::string, int64_t> counts = {{std::string(api::kProbeAttached), 0},
                                           {std::string(api::kProbeFailed), 0},
                                           {std::string(api::kProbeUnsupported), 0},
                                           {std::string(api::kProbePending), 0}};
  for (const auto& p : s.probes) {
    probes.push_back({{"name", p.name},
                      {"state", p.state},
                      {"error", p.error},
                      {"attachedAt", TimeOrNull(p.attached_at)}});
    if (counts.count(p.state)) ++counts[p.state];
    if (IsFailingProbe(p))
      failing.push_back({{"name", p.name}, {"state", p.state}, {"reason", p.error}});
  }
  row["probes"] = probes;
  row["probesSummary"] = StringOrNull(s.probes_summary);
  row["probeCounts"] = {{"attached", counts[std::string(api::kProbeAttached)]},
                        {"failed", counts[std::string(api::kProbeFailed)]},
                        {"unsupported", counts[std::string(api::kProbeUnsupported)]},
                        {"pending", counts[std::string(api::kProbePending)]}};
  row["failingProbes"] = failing;
  row["podCount"] = s.pod_count;
  const auto it = scheduled.find(NameOf(obj));
  row["podsScheduled"] = it == scheduled.end() ? 0 : it->second;
  row["reportedAt"] = TimeOrNull(s.reported_at);
  row["ready"] = ConditionJson(s.conditions, api::kConditionReady);
  const bool stale = !s.reported_at || now - *s.reported_at > 3 * info.report_interval;
  row["reportAgeSeconds"] =
      s.reported_at ? Json(Seconds(std::max(nanoseconds(0), now - *s.reported_at))) : Json(nullptr);
  row["stale"] = stale;
  std::string state = "Healthy";
  if (!s.reported_at) {
    state = "Unknown";
  } else if (stale) {
    state = "Stale";
  } else if (!failing.empty()) {
    state = "Degraded";
  }
  row["state"] = state;
  return row;
}

Json WasmFilterRow(const Object& obj) {
  Json row = Identity(obj);
  auto decoded = api::Decode<api::WasmFilter>(obj);
  if (!decoded.ok()) {
    row["decodeError"] = decoded.status().message();
    row["validated"] = ConditionJson({}, api::kConditionValidated);
    return row;
  }
  api::SetDefaults(*decoded);
  const auto& s = decoded->status;
  row["validated"] = ConditionJson(s.conditions, api::kConditionValidated);
  row["abi"] = StringOrNull(s.abi);
  row["size"] = s.size;
  row["sha256"] = StringOrNull(s.sha256);
  row["phase"] = decoded->spec.phase.value_or("");
  row["failStrategy"] = decoded->spec.fail_strategy.value_or("");
  return row;
}

std::string Str(const Json& row, const char* key) {
  const auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : "";
}

void SortBy(Json& rows, std::initializer_list<const char*> keys) {
  std::vector<const char*> k(keys);
  std::stable_sort(rows.begin(), rows.end(), [&k](const Json& a, const Json& b) {
    for (const char* key : k) {
      const std::string x = Str(a, key), y = Str(b, key);
      if (x != y) return x < y;
    }
    return false;
  });
}

}  // namespace

double Progress(nanoseconds held, nanoseconds sustain_for) {
  if (sustain_for <= nanoseconds(0)) return 1.0;
  if (held <= nanoseconds(0)) return 0.0;
  return std::min(1.0,
                  static_cast<double>(held.count()) / static_cast<double>(sustain_for.count()));
}

CacheSnapshot TakeSnapshot(const Caches& caches, const kube::Store& wasm_filters) {
  CacheSnapshot snap{
      caches.observability_policies.List(), caches.resilience_policies.List(), wasm_filters.List(),
      caches.instrumented_workloads.List(), caches.node_probe_states.List(),   {}};
  // Only spec.nodeName is read of a Pod, from the PodIndex.
  for (const auto& pod : caches.pod_index->All()) {
    if (!pod->node().empty()) snap.pod_nodes.emplace_back(pod->node());
  }
  return snap;
}

Json BuildSummary(const CacheSnapshot& snap, const OperatorInfo& info, api::Time now) {
  ReadinessByPolicy readiness;
  Json policies = Json::array();
  for (const auto& obj : snap.observability_policies)
    policies.push_back(ObservabilityPolicyRow(*obj, readiness));
  for (const auto& obj : snap.resilience_policies) policies.push_back(ResiliencePolicyRow(*obj));
  SortBy(policies, {"namespace", "name", "kind"});

  Json workloads = Json::array();
  for (const auto& obj : snap.instrumented_workloads)
    workloads.push_back(WorkloadRow(*obj, readiness, now));
  SortBy(workloads, {"namespace", "name"});

  std::map<std::string, int64_t> scheduled;
  for (const auto& node : snap.pod_nodes) {
    if (!node.empty()) ++scheduled[node];
  }
  Json nodes = Json::array();
  for (const auto& obj : snap.node_probe_states)
    nodes.push_back(NodeRow(*obj, scheduled, info, now));
  SortBy(nodes, {"name"});

  Json filters = Json::array();
  for (const auto& obj : snap.wasm_filters) filters.push_back(WasmFilterRow(*obj));
  SortBy(filters, {"namespace", "name"});

  std::set<std::string> namespaces;
  Json policy_totals = {{"total", policies.size()},
                        {"observability", snap.observability_policies.size()},
                        {"resilience", snap.resilience_policies.size()},
                        {"ready", 0}};
  for (const auto& p : policies) {
    namespaces.insert(Str(p, "namespace"));
    if (p["ready"]["status"] == api::kConditionTrue)
      policy_totals["ready"] = policy_totals["ready"].get<int64_t>() + 1;
  }
  Json workload_totals = {{"total", workloads.size()},
                          {kStateSustained, 0},
                          {kStateThresholdsMet, 0},
                          {kStateNotMet, 0},
                          {kStateUnknown, 0}};
  for (const auto& w : workloads) {
    namespaces.insert(Str(w, "namespace"));
    auto& n = workload_totals[Str(w, "state")];
    n = n.get<int64_t>() + 1;
  }
  Json node_totals = {
      {"total", nodes.size()}, {"Healthy", 0}, {"Degraded", 0}, {"Stale", 0}, {"Unknown", 0}};
  for (const auto& n : nodes) {
    auto& c = node_totals[Str(n, "state")];
    c = c.get<int64_t>() + 1;
  }
  Json filter_totals = {{"total", filters.size()}, {"validated", 0}};
  for (const auto& f : filters) {
    namespaces.insert(Str(f, "namespace"));
    if (f["validated"]["status"] == api::kConditionTrue)
      filter_totals["validated"] = filter_totals["validated"].get<int64_t>() + 1;
  }

  return {{"apiVersion", "dashboard.limen.dev/v1"},
          {"kind", "Summary"},
          {"generatedAt", api::FormatTime(now)},
          {"operator",
           {{"identity", info.identity},
            {"leader", info.leader},
            {"cachesSynced", info.caches_synced},
            {"watchNamespace", info.watch_namespace},
            {"reportIntervalSeconds", Seconds(info.report_interval)}}},
          {"totals",
           {{"policies", policy_totals},
            {"workloads", workload_totals},
            {"nodes", node_totals},
            {"wasmFilters", filter_totals}}},
          {"namespaces", Json(std::vector<std::string>(namespaces.begin(), namespaces.end()))},
          {"policies", policies},
          {"workloads", workloads},
          {"nodes", nodes},
          {"wasmFilters", filters}};
}

}  // namespace limen::op::dashboard
