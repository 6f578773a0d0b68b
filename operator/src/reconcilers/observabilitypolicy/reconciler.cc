#include "reconcilers/observabilitypolicy/reconciler.h"

#include <spdlog/spdlog.h>

#include "limen/api/well_known.h"
#include "reconcilers/observabilitypolicy/status.h"

namespace limen::op::obspol {

using kube::Outcome;
using kube::Result;

Reconciler::Reconciler(kube::Client& client, Caches caches, kube::EventRecorder& events,
                       kube::Clock& clock, Options options)
    : client_(client),
      caches_(caches),
      events_(events),
      clock_(clock),
      options_(std::move(options)) {}

Outcome Reconciler::Reconcile(const std::string& key) {
  ObjectPtr obj = caches_.observability_policies.Get(key);
  if (!obj) return Result{};  // deleted: its status went with it
  auto policy = api::Decode<api::ObservabilityPolicy>(*obj);
  if (!policy.ok()) {
    return kube::TerminalError(policy.status().WithContext("decode ObservabilityPolicy " + key));
  }
  api::SetDefaults(*policy);
  std::optional<std::string> invalid;
  auto selector = api::ToSelector(policy->spec.selector);
  if (!selector.ok()) invalid = "spec.selector: " + selector.status().message();
  if (auto t = api::ResolveReadiness(policy->spec.readiness); !t.ok())
    invalid = t.status().message();

  PolicyObservation observation;
  if (!invalid) observation = Observe(caches_, *policy, *selector);
  const api::Time now = clock_.Now();
  const api::ObservabilityPolicyStatus& current = policy->status;
  api::ObservabilityPolicyStatus next =
      PlanStatus(current, policy->metadata.generation, observation, invalid, now);
  const kube::Object stored = obj->contains("status") ? (*obj)["status"] : kube::Object();
  if (!StatusChanged(stored, next)) return Result{};

  kube::Object updated = *obj;
  updated["status"] = api::Encode(next);
  kube::RequestOptions opts;
  opts.subresource = "status";
  opts.field_manager = options_.field_manager;
  const auto [ns, name] = kube::SplitKey(key);
  auto written = client_.Update(resources::kObservabilityPolicies, ns, updated, opts);
  if (!written.ok()) return written.error().ToStatus().WithContext("update status of " + key);

  const api::Condition* before = api::FindStatusCondition(current.conditions, api::kConditionReady);
  const api::Condition* after = api::FindStatusCondition(next.conditions, api::kConditionReady);
  if (after && (!before || before->status != after->status || before->reason != after->reason)) {
    const bool ok = after->status == api::kConditionTrue;
    events_.Event(kube::ReferenceTo(*written),
                  ok || !before ? kube::EventType::kNormal : kube::EventType::kWarning,
                  after->reason, "Reconcile", after->message);
  }
  if (invalid) spdlog::warn("ObservabilityPolicy {} is invalid: {}", key, *invalid);
  return Result{};
}

std::unique_ptr<kube::Controller> NewController(Reconciler& reconciler, int workers,
                                                prometheus::Registry& registry) {
  kube::ControllerOptions o;
  o.name = "observabilitypolicy";
  o.workers = workers;
  return std::make_unique<kube::Controller>(std::move(o), reconciler, registry);
}

std::vector<std::string> KeysForNamespace(const Caches& c, const std::string& ns) {
  return c.observability_policies.IndexKeys(kube::kNamespaceIndex, ns);
}

std::vector<std::string> AllKeys(const Caches& c) { return c.observability_policies.ListKeys(); }

}  // namespace limen::op::obspol
