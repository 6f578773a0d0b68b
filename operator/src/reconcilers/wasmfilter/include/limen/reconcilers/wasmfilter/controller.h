// The WasmFilter controller's wiring: a WasmFilterReconciler behind a kube::Controller, fed by
//   - the WasmFilter informer: every added/updated/deleted filter is enqueued;
//   - the ConfigMap informer: a ConfigMap that is added, changed (a new resourceVersion) or
//     deleted enqueues the WasmFilters that read from it — looked up in the WasmFilter
//     Store's kIndexSourceConfigMap index — so a module is validated again when its bytes
//     change and a filter waiting for its ConfigMap recovers as soon as it appears.
//
// The ConfigMap informer may hold full ConfigMaps or a projection without their contents
// (limen-operator keeps only metadata: see reconciler.h); the handler reads only metadata.
//
// Usage (limen-operator's main):
//   kube::InformerOptions o;  o.indexers = wasmfilter::FilterIndexers();  // the filter informer
//   auto wasm = wasmfilter::WasmFilterController::Create(deps, config);  // before informers Run
//   ... informers Run(), WaitForSync ...
//   wasm->Start();  ...  wasm->Stop();
//
// Thread-safety: Create before the informers run (it adds their handlers); Start/Stop once,
// from one thread. The handlers run on the informer threads and only enqueue keys.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "limen/kube/controller.h"
#include "limen/kube/informer.h"
#include "limen/reconcilers/wasmfilter/reconciler.h"

namespace limen::reconcilers::wasmfilter {

// The controller's name: the `controller` label of lib/kube's metrics and its log prefix.
inline constexpr char kControllerName[] = "wasmfilter";

struct Dependencies {
  kube::Client& client;
  kube::Informer& wasm_filters;  // kWasmFilters, all watched namespaces, with FilterIndexers()
  kube::Informer& config_maps;   // v1 ConfigMaps, same namespaces (unfiltered: see reconciler.h)
  kube::EventRecorder& recorder;
  kube::Clock& clock;
  prometheus::Registry& registry;
  int workers = 2;
};

// The indexers the WasmFilter informer's Store must carry (kIndexSourceConfigMap).
std::map<std::string, kube::IndexFunc> FilterIndexers();

// A handler for the ConfigMap informer that enqueues, into `controller`, the filters in
// `filters` (a Store with FilterIndexers()) that read from the ConfigMap.
std::shared_ptr<kube::ResourceEventHandler> ConfigMapHandler(const kube::Store& filters,
                                                             kube::Controller& controller);

class WasmFilterController {
 public:
  // REQUIRES: the informers in `deps` are not running yet.
  static std::unique_ptr<WasmFilterController> Create(const Dependencies& deps, Config config);

  void Start() { controller_.Start(); }
  void Stop() { controller_.Stop(); }
  kube::Controller& controller() { return controller_; }
  WasmFilterReconciler& reconciler() { return reconciler_; }

 private:
  WasmFilterController(const Dependencies& deps, Config config);

  WasmFilterReconciler reconciler_;
  kube::Controller controller_;  // after reconciler_: it holds a reference to it
};

}  // namespace limen::reconcilers::wasmfilter
