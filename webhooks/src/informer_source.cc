#include "limen/webhook/informer_source.h"

#include <spdlog/spdlog.h>

#include "limen/api/codec.h"

namespace limen::webhook {
namespace {

kube::InformerOptions Options() {
  kube::InformerOptions o;
  o.transform = kube::DropManagedFields;
  return o;
}

template <class T>
std::vector<T> DecodeAll(const kube::Informer& informer, const std::string& ns) {
  std::vector<T> out;
  for (const auto& obj : informer.store().ByIndex(kube::kNamespaceIndex, ns)) {
    auto decoded = api::Decode<T>(*obj);
    if (!decoded.ok()) {
      // The CRD schema makes this unlikely; an undecodable object is left out, not fatal.
      spdlog::warn("ignoring {}: {}", kube::ObjectKey(*obj), decoded.status().message());
      continue;
    }
    out.push_back(std::move(decoded).value());
  }
  return out;
}

}  // namespace

InformerPolicySource::InformerPolicySource(kube::Client& client)
    : namespaces_(
          std::make_unique<kube::Informer>(client, kube::resources::kNamespaces, Options())),
      policies_(std::make_unique<kube::Informer>(client, kResiliencePolicies, Options())),
      filters_(std::make_unique<kube::Informer>(client, kWasmFilters, Options())) {}

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
  return DecodeAll<api::ResiliencePolicy>(*policies_, ns);
}

std::vector<api::WasmFilter> InformerPolicySource::WasmFilters(const std::string& ns) const {
  return DecodeAll<api::WasmFilter>(*filters_, ns);
}

}  // namespace limen::webhook
