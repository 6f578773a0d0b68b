// ResiliencePolicyReconciler: renders each ResiliencePolicy into its Envoy sidecar ConfigMap
// `limen-<policy>-sidecar` (issue 8) and reports the result in the policy's status.
//
// Flow of Reconcile("namespace/name"):
//   1. the policy from the informer's Store (gone or being deleted → nothing to do: the
//      ConfigMap's ownerReference lets the garbage collector remove it);
//   2. GatherFilters: every referenced WasmFilter must exist and be Validated=True (a
//      reference the cache does not hold is confirmed with a GET before it is reported);
//   3. lib/envoy's ConfigRenderer: Render(policy, filters, Config::app_ports), then
//      RenderConfigMap (owner-referenced, managed-by label, content-hash annotation);
//   4. PlanConfigMap against the cached ConfigMap: create, update only when the content
//      changed, or leave it; a ConfigMap of that name not controlled by this policy is never
//      overwritten. A create/update that loses a race with the cache (AlreadyExists /
//      Conflict) re-reads the live ConfigMap once and plans again;
//   5. status (status subresource, only when it changed): Rendered True with renderedConfig
//      {name, hash}, or Rendered False with the reason — and then the ConfigMap is left
//      exactly as it was (nothing is ever rendered half-way); observedGeneration;
//   6. an Event when the Rendered condition moved (Rendered / RenderFailed).
// An unrenderable policy is not an error (retrying cannot fix it): the reconcile succeeds and
// the handlers (controller.h) bring the policy back when a WasmFilter it references changes.
// matchedWorkloads and injectedPods come from a ReachCounter (below) when one is given: this
// library reads no Pods, limen-operator counts them from its caches. Without one they are
// left as they are.
//
// REQUIRES: the informers have synced before the Controller starts.
// Thread-safety: Reconcile may run on several worker threads at once (never for the same key);
// members are references to thread-safe objects and a constant Config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "limen/envoy/render.h"
#include "limen/kube/client.h"
#include "limen/kube/clock.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/reconcile.h"
#include "limen/kube/store.h"
#include "limen/reconcilers/resiliencepolicy/decisions.h"

namespace limen::reconcilers::resiliencepolicy {

inline const kube::Resource kWasmFiltersResource{"limen.dev", "v1alpha1", "wasmfilters",
                                                 "WasmFilter", true};
inline const kube::Resource kResiliencePolicies{"limen.dev", "v1alpha1", "resiliencepolicies",
                                                "ResiliencePolicy", true};

// What a policy's selector reaches among the Pods of its namespace.
struct Reach {
  int64_t matched_workloads = 0;  // workloads with at least one active Pod selected
  int64_t injected_pods = 0;      // selected active Pods carrying "<policy>@<hash>"
};

// Counts a policy's Reach. Implemented by limen-operator over its Pod and workload caches;
// tests implement it with fixed numbers. Must be quick and must not block (a cache read).
class ReachCounter {
 public:
  virtual ~ReachCounter() = default;
  // `hash`: the policy's current rendered hash ("" when it has none: no Pod is injected).
  virtual Reach Count(const api::ResiliencePolicy& policy, const std::string& hash) const = 0;
};

class ResiliencePolicyReconciler final : public kube::Reconciler {
 public:
  // The Stores of the ResiliencePolicy, WasmFilter and ConfigMap informers (the ConfigMap
  // informer may select app.kubernetes.io/managed-by=limen: only Limen's ConfigMaps are read).
  // `reach` (optional, outlives the reconciler) fills matchedWorkloads and injectedPods.
  ResiliencePolicyReconciler(kube::Client& client, const kube::Store& policies,
                             const kube::Store& filters, const kube::Store& config_maps,
                             const envoy::ConfigRenderer& renderer, kube::EventRecorder& recorder,
                             kube::Clock& clock, Config config,
                             const ReachCounter* reach = nullptr);

  kube::Outcome Reconcile(const std::string& key) override;

 private:
  // The WasmFilters of the policy's namespace from the cache, plus — for referenced names the
  // cache does not hold — a live GET, so that cache lag is not reported as a missing filter.
  StatusOr<std::vector<kube::ObjectPtr>> FiltersOf(const api::ResiliencePolicy& policy);
  // Steps 3–4: the ConfigMap written (or already right), or the failure to report. A non-OK
  // Status is an API error to retry; a RenderOutcome with rendered=false is a verdict.
  StatusOr<RenderOutcome> Render(const api::ResiliencePolicy& policy);
  // Plans against the cached ConfigMap and creates/updates accordingly; on a lost race
  // re-reads the live ConfigMap and plans again, once. Returns the plan carried out (kConflict:
  // nothing written) or an API error.
  StatusOr<ConfigMapPlan> Apply(const api::ResiliencePolicy& policy, const kube::Object& desired);

  // Constant after construction.
  kube::Client& client_;
  const kube::Store& policies_;
  const kube::Store& filters_;
  const kube::Store& config_maps_;
  const envoy::ConfigRenderer& renderer_;
  kube::EventRecorder& recorder_;
  kube::Clock& clock_;
  const Config config_;
  const ReachCounter* const reach_;
};

}  // namespace limen::reconcilers::resiliencepolicy
