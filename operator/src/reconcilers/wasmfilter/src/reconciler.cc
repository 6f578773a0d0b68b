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

namespace {

// Whether a cached ConfigMap carries its contents (a projection without them has neither
// key; a real ConfigMap without either is empty, and reading it live costs one small GET).
bool HasContents(const kube::Object& config_map) {
  return config_map.contains("binaryData") || config_map.contains("data");
}

std::string MetadataString(const kube::Object& obj, const char* field) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

int64_t WasmFilterReconciler::live_reads() const {
  std::lock_guard lock(memo_mu_);
  return live_reads_;
}

void WasmFilterReconciler::Forget(const std::string& key) {
  std::lock_guard lock(memo_mu_);
  memo_.erase(key);
}

StatusOr<kube::ObjectPtr> WasmFilterReconciler::ReadLive(const std::string& ns,
                                                         const std::string& name) {
  {
    std::lock_guard lock(memo_mu_);
    ++live_reads_;
  }
  auto live = client_.Get(kube::resources::kConfigMaps, ns, name);
  if (live.ok()) return std::make_shared<const kube::Object>(std::move(*live));
  if (live.error().IsNotFound()) return kube::ObjectPtr();
  return live.error().ToStatus().WithContext("reading ConfigMap " + ns + "/" + name);
}

StatusOr<Verdict> WasmFilterReconciler::DecideConfigMapSource(const std::string& key,
                                                              const api::WasmFilter& filter) {
  const std::string& ns = filter.metadata.namespace_;
  const std::string& name = filter.spec.wasm_source.config_map->name;
  const int64_t generation = filter.metadata.generation;
  const kube::ObjectPtr cached = config_maps_.Get(ns + "/" + name);
  if (cached != nullptr && HasContents(*cached)) {
    Forget(key);
    return Decide(filter, cached.get(), config_);
  }
  if (cached != nullptr) {
    std::lock_guard lock(memo_mu_);
    auto it = memo_.find(key);
    if (it != memo_.end() && it->second.generation == generation &&
        it->second.config_map_uid == MetadataString(*cached, "uid") &&
        it->second.config_map_version == kube::ObjectResourceVersion(*cached)) {
      return it->second.verdict;
    }
  }
  // A miss may be the cache lagging behind a ConfigMap created a moment ago (or an informer
  // that does not see this ConfigMap): ask the apiserver before saying it does not exist.
  LIMEN_ASSIGN_OR_RETURN(kube::ObjectPtr live, ReadLive(ns, name));
  Verdict verdict = Decide(filter, live.get(), config_);
  std::lock_guard lock(memo_mu_);
  if (live == nullptr) {
    memo_.erase(key);  // nothing to remember a missing ConfigMap by: its add event re-enqueues
  } else {
    memo_[key] =
        Memo{generation, MetadataString(*live, "uid"), kube::ObjectResourceVersion(*live), verdict};
  }
  return verdict;
}

kube::Outcome WasmFilterReconciler::Reconcile(const std::string& key) {
  const kube::ObjectPtr obj = filters_.Get(key);
  if (obj == nullptr) {
    Forget(key);
    return kube::Result{};  // deleted: nothing of ours to clean up
  }
  auto filter = api::Decode<api::WasmFilter>(*obj);
  if (!filter.ok()) {
    // The apiserver validated it against the CRD, so this is a Limen/CRD mismatch: retrying
    // cannot help.
    return kube::TerminalError(filter.status().WithContext("WasmFilter " + key));
  }
  if (filter->metadata.deletion_timestamp) {
    Forget(key);
    return kube::Result{};
  }

  const std::string& ns = filter->metadata.namespace_;
  Verdict verdict;
  if (filter->spec.wasm_source.config_map) {
    auto decided = DecideConfigMapSource(key, *filter);
    if (!decided.ok()) return decided.status();
    verdict = std::move(*decided);
  } else {
    Forget(key);
    verdict = Decide(*filter, nullptr, config_);
  }
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
