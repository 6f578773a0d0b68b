// WasmFilterReconciler: validates the WASM module of each WasmFilter (issue 9) and reports the
// verdict in its status.
//
// Flow of Reconcile("namespace/name"):
//   1. the WasmFilter from the informer's Store (gone or being deleted → nothing to do);
//   2. its module: a ConfigMap source is read from binaryData[key] (base64 on the wire) — of
//      the cached ConfigMap when the Store holds ConfigMaps with their contents, otherwise of
//      the live ConfigMap (a GET). A cache miss is confirmed with a GET too, so a ConfigMap
//      created a moment before its filter is not reported missing. An image source is only
//      checked for a digest (the operator does not pull images; tags are refused unless
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
// selector hiding users' ConfigMaps), so that a module edit re-validates at once. It may
// hold a projection without data/binaryData (limen-operator's does: modules are up to 1 MiB
// each and the cache holds every ConfigMap of the cluster): then the bytes are read with a
// GET, and the verdict is remembered per filter together with the filter's generation and
// the ConfigMap's uid and resourceVersion. A reconcile that finds all three unchanged — the
// echo of our own status write, a resync, a policy looking again — reuses the verdict
// without reading or validating the module again; any change of the ConfigMap gives it a
// new resourceVersion, which misses. The memo holds one entry per existing filter.
//
// Thread-safety: Reconcile may run on several worker threads at once (never for the same key);
// members are references to thread-safe objects, a constant Config, and the memo guarded by
// memo_mu_.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
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
  // How many module reads went to the apiserver (a GET of the ConfigMap): for tests and logs.
  int64_t live_reads() const;

 private:
  // A verdict and what it was decided from.
  struct Memo {
    int64_t generation = 0;
    std::string config_map_uid;
    std::string config_map_version;
    Verdict verdict;
  };

  // The verdict for a filter with a ConfigMap source: from the cached ConfigMap when it holds
  // contents, from the memo when the cached metadata shows nothing changed, else from a GET.
  // An error only when the apiserver cannot be asked.
  StatusOr<Verdict> DecideConfigMapSource(const std::string& key, const api::WasmFilter& filter);
  // The live ConfigMap (nullptr: it does not exist).
  StatusOr<kube::ObjectPtr> ReadLive(const std::string& ns, const std::string& name);
  void Forget(const std::string& key);

  // Constant after construction.
  kube::Client& client_;
  const kube::Store& filters_;
  const kube::Store& config_maps_;
  kube::EventRecorder& recorder_;
  kube::Clock& clock_;
  const Config config_;

  mutable std::mutex memo_mu_;
  std::map<std::string, Memo> memo_;  // by filter key; guarded by memo_mu_
  int64_t live_reads_ = 0;            // guarded by memo_mu_
};

}  // namespace limen::reconcilers::wasmfilter
