// The ResiliencePolicy controller's wiring: a ResiliencePolicyReconciler behind a
// kube::Controller, fed by
//   - the ResiliencePolicy informer: every added/updated/deleted policy is enqueued;
//   - the WasmFilter informer: a filter that is added, changed (e.g. its Validated condition)
//     or deleted enqueues the policies of its namespace whose spec.wasmFilters name it;
//   - the ConfigMap informer: a change to a ConfigMap controlled by a ResiliencePolicy (an
//     edit or deletion of `limen-<policy>-sidecar` by someone else) enqueues that policy, so
//     the rendered config is restored.
//
// Usage (limen-operator's main):
//   envoy::EnvoyConfigRenderer renderer(render_config);   // outlives the controller
//   auto rp = resiliencepolicy::ResiliencePolicyController::Create(deps, renderer, config);
//   ... informers Run(), WaitForSync ...;  rp->Start();  ...  informers Stop(); rp->Stop();
//
// Thread-safety: Create before the informers run (it adds their handlers); Start/Stop once,
// from one thread; stop the informers before destroying the controller (their handlers hold
// references into it). The handlers run on the informer threads and only enqueue keys.
#pragma once

#include <memory>

#include <prometheus/registry.h>

#include "limen/kube/controller.h"
#include "limen/kube/informer.h"
#include "limen/reconcilers/resiliencepolicy/reconciler.h"

namespace limen::reconcilers::resiliencepolicy {

inline constexpr char kControllerName[] = "resiliencepolicy";

struct Dependencies {
  kube::Client& client;
  kube::Informer& policies;      // kResiliencePolicies
  kube::Informer& wasm_filters;  // WasmFilters of the same namespaces
  kube::Informer& config_maps;   // ConfigMaps of the same namespaces
  kube::EventRecorder& recorder;
  kube::Clock& clock;
  prometheus::Registry& registry;
  int workers = 2;
  // Optional: fills matchedWorkloads/injectedPods. The caller then also enqueues a policy
  // when a Pod of its namespace changes (Enqueue on controller()).
  const ReachCounter* reach = nullptr;
};

// WasmFilter events → the policies in `policies` that reference the filter.
std::shared_ptr<kube::ResourceEventHandler> WasmFilterHandler(const kube::Store& policies,
                                                              kube::Controller& controller);
// ConfigMap events → the ResiliencePolicy controlling the ConfigMap, if any.
std::shared_ptr<kube::ResourceEventHandler> OwnedConfigMapHandler(kube::Controller& controller);

class ResiliencePolicyController {
 public:
  // REQUIRES: the informers in `deps` are not running yet; `renderer` outlives the result.
  static std::unique_ptr<ResiliencePolicyController> Create(const Dependencies& deps,
                                                            const envoy::ConfigRenderer& renderer,
                                                            Config config);

  void Start() { controller_.Start(); }
  void Stop() { controller_.Stop(); }
  kube::Controller& controller() { return controller_; }

 private:
  ResiliencePolicyController(const Dependencies& deps, const envoy::ConfigRenderer& renderer,
                             Config config);

  ResiliencePolicyReconciler reconciler_;
  kube::Controller controller_;  // after reconciler_: it holds a reference to it
};

}  // namespace limen::reconcilers::resiliencepolicy
