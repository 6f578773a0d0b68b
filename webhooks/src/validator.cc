#include "limen/webhook/validator.h"

#include "limen/api/resilience_policy.h"
#include "limen/api/well_known.h"
#include "limen/webhook/config.h"
#include "limen/webhook/planner.h"

namespace limen::webhook {
namespace {

ValidationResult CheckResiliencePolicy(const api::ResiliencePolicy& policy,
                                       const std::vector<api::WasmFilter>& filters) {
  ValidationResult out;
  if (!policy.spec.selector) {
    out.warnings.push_back("spec.selector is absent: this ResiliencePolicy selects no Pod");
  }
  for (size_t i = 0; i < policy.spec.wasm_filters.size(); ++i) {
    const std::string& name = policy.spec.wasm_filters[i].name;
    const std::string where = "spec.wasmFilters[" + std::to_string(i) + "]";
    const api::WasmFilter* found = nullptr;
    for (const auto& f : filters) {
      if (f.metadata.name == name) found = &f;
    }
    if (found == nullptr) {
      out.warnings.push_back(where + ": WasmFilter \"" + name + "\" does not exist in namespace " +
                             policy.metadata.namespace_ +
                             "; Pods are injected without it until it does");
    } else if (!IsValidated(*found)) {
      out.warnings.push_back(where + ": WasmFilter \"" + name +
                             "\" is not Validated; Pods are injected without it until it is");
    }
  }
  if (policy.spec.sidecar && policy.spec.sidecar->resources) {
    out.warnings.push_back(
        "spec.sidecar.resources is ignored: sidecar resources come from the webhook config");
  }
  return out;
}

ValidationResult CheckWasmFilter(const api::WasmFilter& filter) {
  ValidationResult out;
  const auto& image = filter.spec.wasm_source.image;
  if (image && !IsPinnedByDigest(image->reference)) {
    out.warnings.push_back("spec.source.image.reference \"" + image->reference +
                           "\" is not pinned by digest (@sha256:...); it will not be mounted");
  }
  return out;
}

}  // namespace

StatusOr<ValidationResult> ValidateLimenObject(const nlohmann::json& object,
                                               const std::vector<api::WasmFilter>& filters) {
  const std::string kind =
      object.is_object() && object.contains("kind") && object["kind"].is_string()
          ? object["kind"].get<std::string>()
          : "";
  if (kind == api::kKindResiliencePolicy) {
    auto policy = api::Decode<api::ResiliencePolicy>(object);
    if (!policy.ok()) return policy.status().WithContext("ResiliencePolicy");
    return CheckResiliencePolicy(*policy, filters);
  }
  if (kind == api::kKindWasmFilter) {
    auto filter = api::Decode<api::WasmFilter>(object);
    if (!filter.ok()) return filter.status().WithContext("WasmFilter");
    return CheckWasmFilter(*filter);
  }
  return ValidationResult{};
}

}  // namespace limen::webhook
