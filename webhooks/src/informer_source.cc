#include "limen/webhook/informer_source.h"

#include <spdlog/spdlog.h>

#include <map>
#include <mutex>
#include <utility>

#include "limen/api/codec.h"

namespace limen::webhook {
namespace {

kube::InformerOptions Options() {
  kube::InformerOptions o;
  o.transform = kube::DropManagedFields;
  return o;
}

}  // namespace

// The typed objects of one informer, decoded once per object version rather than once per
// admission. A Store replaces an object's pointer whenever the object changes, so the same
// pointer (kept alive here) means the same content.
template <class T>
class InformerPolicySource::DecodeMemo {
 public:
  explicit DecodeMemo(const kube::Informer& informer) : informer_(informer) {}

  std::vector<T> InNamespace(const std::string& ns) {
    const std::vector<kube::ObjectPtr> objects =
        informer_.store().ByIndex(kube::kNamespaceIndex, ns);
    std::vector<T> out;
    out.reserve(objects.size());
    std::lock_guard lock(mu_);
    // Entries of deleted objects are dropped wholesale once they could matter.
    if (entries_.size() > 2 * informer_.store().Size() + 16) entries_.clear();
    for (const kube::ObjectPtr& obj : objects) {
      if (const T* decoded = DecodedLocked(obj)) out.push_back(*decoded);
    }
    return out;
  }

 private:
  const T* DecodedLocked(const kube::ObjectPtr& obj) {
    const std::string key = kube::ObjectKey(*obj);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.first == obj) return &it->second.second;
    auto decoded = api::Decode<T>(*obj);
    if (!decoded.ok()) {
      // The CRD schema makes this unlikely; an undecodable object is left out, not fatal.
      spdlog::warn("ignoring {}: {}", key, decoded.status().message());
      if (it != entries_.end()) entries_.erase(it);
      return nullptr;
    }
    auto& slot = entries_[key];
    slot = {obj, std::move(decoded).value()};
    return &slot.second;
  }

  const kube::Informer& informer_;
  std::mutex mu_;
  std::map<std::string, std::pair<kube::ObjectPtr, T>> entries_;  // guarded by mu_
};

InformerPolicySource::InformerPolicySource(kube::Client& client)
    : namespaces_(
          std::make_unique<kube::Informer>(client, kube::resources::kNamespaces, Options())),
      policies_(std::make_unique<kube::Informer>(client, kResiliencePolicies, Options())),
      filters_(std::make_unique<kube::Informer>(client, kWasmFilters, Options())),
      policy_memo_(std::make_unique<DecodeMemo<api::ResiliencePolicy>>(*policies_)),
      filter_memo_(std::make_unique<DecodeMemo<api::WasmFilter>>(*filters_)) {}

InformerPolicySource::~InformerPolicySource() { Stop(); }

void InformerPolicySource::Run() {
  namespaces_->Run();
  policies_->Run();
  filters_->Run();
}

void InformerPolicySource::Stop() {
  namespaces_->Stop();
  policies_->Stop();
  filters_->Stop();
}

bool InformerPolicySource::HasSynced() const {
  return namespaces_->HasSynced() && policies_->HasSynced() && filters_->HasSynced();
}

std::optional<std::map<std::string, std::string>> InformerPolicySource::NamespaceLabels(
    const std::string& ns) const {
  const kube::ObjectPtr obj = namespaces_->store().Get(ns);
  if (!obj) return std::nullopt;
  std::map<std::string, std::string> labels;
  const auto meta = obj->find("metadata");
  if (meta == obj->end() || !meta->is_object()) return labels;
  const auto l = meta->find("labels");
  if (l == meta->end() || !l->is_object()) return labels;
  for (const auto& [k, v] : l->items()) {
    if (v.is_string()) labels.emplace(k, v.get<std::string>());
  }
  return labels;
}

std::vector<api::ResiliencePolicy> InformerPolicySource::ResiliencePolicies(
    const std::string& ns) const {
  return policy_memo_->InNamespace(ns);
}

std::vector<api::WasmFilter> InformerPolicySource::WasmFilters(const std::string& ns) const {
  return filter_memo_->InNamespace(ns);
}

}  // namespace limen::webhook
