// WasmFilterReconciler: validates the WASM module of each WasmFilter (issue 9) and reports the
// verdict in its status.
//
// Flow of Reconcile("namespace/name"):
//   1. the WasmFilter from the informer's Store (gone or being deleted → nothing to do);
//   2. its module: a ConfigMap source is read from the ConfigMap Store (binaryData[key],
//      base64 on the wire) — a cache miss is confirmed with a GET, so a ConfigMap created a
//      moment before its filter is not reported missing; an image source is only checked for a
//      digest (the operator does not pull images; tags are refused unless
//      Config::allow_image_tags);
//   3. Decide (decisions.h): wasm::Validate with spec.abi, spec.sha256 and the size limit;
//   4. BuildStatus; if it equals the stored status nothing is written (an unchanged status is
//      never rewritten, so a reconcile triggered by our own write ends here);
//   5. otherwise PUT status (the status subresource, resourceVersion as precondition: a
//      conflict is an error the Controller retries with back-off), then an Event when the
//      Validated condition moved (Validated / ValidationFailed).
// A missing ConfigMap or key is not an error: it is the verdict Validated=False
// (ConfigMapNotFound / KeyNotFound) and the ConfigMap handler (controller.h) enqueues the
// filter again when the ConfigMap appears or changes.
//
// The ConfigMap Store should see every ConfigMap a WasmFilter may reference (no label
// selector hiding users' ConfigMaps): then a module edit re-validates at once and the GET
// fallback is rare. With a filtered informer validation stays correct (each reconcile GETs)
// but edits of unseen ConfigMaps are noticed only when the filter is next reconciled.
//
// Thread-safety: Reconcile may run on several worker threads at once (never for the same key);
// members are references to thread-safe objects and a constant Config.
#pragma once

#include <string>

#include "limen/kube/client.h"
#include "limen/kube/clock.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/reconcile.h"
#include "limen/kube/store.h"
#include "limen/reconcilers/wasmfilter/decisions.h"

namespace limen::reconcilers::wasmfilter {

// The REST collection of WasmFilters.
inline const kube::Resource kWasmFilters{"limen.dev", "v1alpha1", "wasmfilters", "WasmFilter",
                                         true};

class WasmFilterReconciler final : public kube::Reconciler {
 public:
  // `filters` and `config_maps` are the Stores of the WasmFilter and ConfigMap informers.
  WasmFilterReconciler(kube::Client& client, const kube::Store& filters,
                       const kube::Store& config_maps, kube::EventRecorder& recorder,
                       kube::Clock& clock, Config config);

  kube::Outcome Reconcile(const std::string& key) override;

  const Config& config() const { return config_; }

 private:
  // The ConfigMap from the cache or, on a miss, from the apiserver (nullptr: it does not
  // exist); an error only when the apiserver cannot be asked.
  StatusOr<kube::ObjectPtr> ConfigMap(const std::string& ns, const std::string& name);

  // Constant after construction.
  kube::Client& client_;
  const kube::Store& filters_;
  const kube::Store& config_maps_;
  kube::EventRecorder& recorder_;
  kube::Clock& clock_;
  const Config config_;
};

}  // namespace limen::reconcilers::wasmfilter
