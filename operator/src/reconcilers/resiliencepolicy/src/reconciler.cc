#include "limen/reconcilers/resiliencepolicy/reconciler.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <utility>

#include "limen/api/codec.h"

namespace limen::reconcilers::resiliencepolicy {
namespace {

RenderOutcome Failure(const Status& why) {
  RenderOutcome o;
  o.reason = std::string(ReasonFor(why));
  o.message = why.message();
  return o;
}

}  // namespace

ResiliencePolicyReconciler::ResiliencePolicyReconciler(
    kube::Client& client, const kube::Store& policies, const kube::Store& filters,
    const kube::Store& config_maps, const envoy::ConfigRenderer& renderer,
    kube::EventRecorder& recorder, kube::Clock& clock, Config config, const ReachCounter* reach)
    : client_(client),
      policies_(policies),
      filters_(filters),
      config_maps_(config_maps),
      renderer_(renderer),
      recorder_(recorder),
      clock_(clock),
      config_(std::move(config)),
      reach_(reach) {}

kube::Outcome ResiliencePolicyReconciler::Reconcile(const std::string& key) {
  const kube::ObjectPtr obj = policies_.Get(key);
  if (obj == nullptr) return kube::Result{};
  auto policy = api::Decode<api::ResiliencePolicy>(*obj);
  if (!policy.ok()) {
    return kube::TerminalError(policy.status().WithContext("ResiliencePolicy " + key));
  }
  if (policy->metadata.deletion_timestamp) return kube::Result{};

  auto outcome = Render(*policy);
  if (!outcome.ok()) return outcome.status();  // an API error: retried with back-off
  api::ResiliencePolicyStatus next =
      BuildStatus(policy->status, *outcome, policy->metadata.generation, clock_.Now());
  if (reach_ != nullptr) {
    // Counted against the hash the status will name: Pods injected from an older rendering
    // carry an older hash and do not count until they are re-created.
    const Reach reach = reach_->Count(*policy, next.rendered_config.hash);
    next.matched_workloads = reach.matched_workloads;
    next.injected_pods = reach.injected_pods;
  }
  const kube::Object next_json = api::Encode(next);
  const auto current = obj->find("status");
  if (current != obj->end() && *current == next_json) return kube::Result{};

  kube::Object updated = *obj;
  updated["status"] = next_json;
  kube::RequestOptions opts;
  opts.subresource = "status";
  opts.field_manager = config_.field_manager;
  auto written = client_.Update(kResiliencePolicies, policy->metadata.namespace_, updated, opts);
  if (!written.ok()) {
    if (written.error().IsNotFound()) return kube::Result{};
    return written.error().ToStatus().WithContext("updating the status of ResiliencePolicy " + key);
  }
  spdlog::info("resiliencepolicy {}: Rendered={} reason={} hash={} generation={}", key,
               outcome->rendered ? "True" : "False", outcome->reason, next.rendered_config.hash,
               policy->metadata.generation);
  if (auto event = TransitionEvent(policy->status, next)) {
    recorder_.Event(kube::ReferenceTo(*written), event->type, event->reason, "Render", event->note);
  }
  return kube::Result{};
}

StatusOr<std::vector<kube::ObjectPtr>> ResiliencePolicyReconciler::FiltersOf(
    const api::ResiliencePolicy& policy) {
  const std::string& ns = policy.metadata.namespace_;
  std::vector<kube::ObjectPtr> out = filters_.ByIndex(kube::kNamespaceIndex, ns);
  for (const api::WasmFilterRef& ref : policy.spec.wasm_filters) {
    if (filters_.Get(ns + "/" + ref.name) != nullptr) continue;
    // Not cached (yet): a filter created a moment before the policy must not be reported
    // missing because the informer is behind.
    auto live = client_.Get(kWasmFiltersResource, ns, ref.name);
    if (live.ok()) {
      out.push_back(std::make_shared<const kube::Object>(std::move(*live)));
    } else if (!live.error().IsNotFound()) {
      return live.error().ToStatus().WithContext("reading WasmFilter " + ns + "/" + ref.name);
    }
  }
  return out;
}

StatusOr<RenderOutcome> ResiliencePolicyReconciler::Render(const api::ResiliencePolicy& policy) {
  LIMEN_ASSIGN_OR_RETURN(std::vector<kube::ObjectPtr> candidates, FiltersOf(policy));
  auto filters = GatherFilters(policy, candidates);
  if (!filters.ok()) return Failure(filters.status());
  auto rendered = renderer_.Render(policy, *filters, config_.app_ports);
  if (!rendered.ok()) return Failure(rendered.status());
  auto desired = renderer_.RenderConfigMap(policy, *rendered);
  if (!desired.ok()) return Failure(desired.status());

  LIMEN_ASSIGN_OR_RETURN(ConfigMapPlan plan, Apply(policy, *desired));
  if (plan.action == ConfigMapPlan::Action::kConflict) {
    RenderOutcome o;
    o.reason = std::string(kReasonConfigMapConflict);
    o.message = plan.message;
    return o;
  }
  RenderOutcome o;
  o.rendered = true;
  o.reason = std::string(kReasonRendered);
  o.config.name = envoy::ConfigMapName(policy.metadata.name);
  o.config.hash = rendered->hash;
  o.message = "ConfigMap " + o.config.name + " holds the Envoy bootstrap with hash " +
              rendered->hash + " (" + std::to_string(filters->size()) + " WASM filter" +
              (filters->size() == 1 ? "" : "s") + ")";
  return o;
}

StatusOr<ConfigMapPlan> ResiliencePolicyReconciler::Apply(const api::ResiliencePolicy& policy,
                                                          const kube::Object& desired) {
  const std::string& ns = policy.metadata.namespace_;
  const std::string name = envoy::ConfigMapName(policy.metadata.name);
  const kube::ObjectPtr cached = config_maps_.Get(ns + "/" + name);
  ConfigMapPlan plan = PlanConfigMap(cached.get(), desired, policy.metadata.uid);
  kube::RequestOptions opts;
  opts.field_manager = config_.field_manager;
  for (int attempt = 0;; ++attempt) {
    std::optional<kube::ApiError> error;
    if (plan.action == ConfigMapPlan::Action::kCreate) {
      auto r = client_.Create(kube::resources::kConfigMaps, ns, plan.object, opts);
      if (!r.ok()) error = r.error();
    } else if (plan.action == ConfigMapPlan::Action::kUpdate) {
      auto r = client_.Update(kube::resources::kConfigMaps, ns, plan.object, opts);
      if (!r.ok()) error = r.error();
    }
    if (!error) {
      if (plan.action != ConfigMapPlan::Action::kNone &&
          plan.action != ConfigMapPlan::Action::kConflict) {
        spdlog::info("resiliencepolicy {}/{}: {} ConfigMap {}", ns, policy.metadata.name,
                     plan.action == ConfigMapPlan::Action::kCreate ? "created" : "updated", name);
      }
      return plan;
    }
    // The cache was behind: the ConfigMap exists after all, or changed under us. Look at the
    // live object once and decide again.
    const bool race = error->IsAlreadyExists() || error->IsConflict() ||
                      (error->IsNotFound() && plan.action == ConfigMapPlan::Action::kUpdate);
    if (!race || attempt > 0) {
      return error->ToStatus().WithContext("writing ConfigMap " + ns + "/" + name);
    }
    auto live = client_.Get(kube::resources::kConfigMaps, ns, name);
    if (!live.ok() && !live.error().IsNotFound()) {
      return live.error().ToStatus().WithContext("reading ConfigMap " + ns + "/" + name);
    }
    plan = PlanConfigMap(live.ok() ? &*live : nullptr, desired, policy.metadata.uid);
  }
}

}  // namespace limen::reconcilers::resiliencepolicy
