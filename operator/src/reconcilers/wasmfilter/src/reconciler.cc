#include "limen/reconcilers/wasmfilter/reconciler.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

#include "limen/api/codec.h"

namespace limen::reconcilers::wasmfilter {

WasmFilterReconciler::WasmFilterReconciler(kube::Client& client, const kube::Store& filters,
                                           const kube::Store& config_maps,
                                           kube::EventRecorder& recorder, kube::Clock& clock,
                                           Config config)
    : client_(client),
      filters_(filters),
      config_maps_(config_maps),
      recorder_(recorder),
      clock_(clock),
      config_(std::move(config)) {}

StatusOr<kube::ObjectPtr> WasmFilterReconciler::ConfigMap(const std::string& ns,
                                                          const std::string& name) {
  if (kube::ObjectPtr cached = config_maps_.Get(ns + "/" + name)) return cached;
  // A miss may be the cache lagging behind a ConfigMap created a moment ago (or an informer
  // that does not see this ConfigMap): ask the apiserver before saying it does not exist.
  auto live = client_.Get(kube::resources::kConfigMaps, ns, name);
  if (live.ok()) return std::make_shared<const kube::Object>(std::move(*live));
  if (live.error().IsNotFound()) return kube::ObjectPtr();
  return live.error().ToStatus().WithContext("reading ConfigMap " + ns + "/" + name);
}

kube::Outcome WasmFilterReconciler::Reconcile(const std::string& key) {
  const kube::ObjectPtr obj = filters_.Get(key);
  if (obj == nullptr) return kube::Result{};  // deleted: nothing of ours to clean up
  auto filter = api::Decode<api::WasmFilter>(*obj);
  if (!filter.ok()) {
    // The apiserver validated it against the CRD, so this is a Limen/CRD mismatch: retrying
    // cannot help.
    return kube::TerminalError(filter.status().WithContext("WasmFilter " + key));
  }
  if (filter->metadata.deletion_timestamp) return kube::Result{};

  const std::string& ns = filter->metadata.namespace_;
  kube::ObjectPtr config_map;
  if (filter->spec.wasm_source.config_map) {
    auto found = ConfigMap(ns, filter->spec.wasm_source.config_map->name);
    if (!found.ok()) return found.status();
    config_map = std::move(*found);
  }
  const Verdict verdict = Decide(*filter, config_map.get(), config_);
  const api::WasmFilterStatus next =
      BuildStatus(filter->status, verdict, filter->metadata.generation, clock_.Now());
  const kube::Object next_json = api::Encode(next);
  const auto current = obj->find("status");
  if (current != obj->end() && *current == next_json) return kube::Result{};

  kube::Object updated = *obj;
  updated["status"] = next_json;
  kube::RequestOptions opts;
  opts.subresource = "status";
  opts.field_manager = config_.field_manager;
  auto written = client_.Update(kWasmFilters, ns, updated, opts);
  if (!written.ok()) {
    if (written.error().IsNotFound()) return kube::Result{};  // deleted meanwhile
    return written.error().ToStatus().WithContext("updating the status of WasmFilter " + key);
  }
  spdlog::info("wasmfilter {}: Validated={} reason={} generation={}", key,
               verdict.validated ? "True" : "False", verdict.reason, filter->metadata.generation);
  if (auto event = TransitionEvent(filter->status, next)) {
    recorder_.Event(kube::ReferenceTo(*written), event->type, event->reason, "Validate",
                    event->note);
  }
  return kube::Result{};
}

}  // namespace limen::reconcilers::wasmfilter
