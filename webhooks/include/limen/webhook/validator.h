// Checks on Limen custom resources that the CRDs' OpenAPI/CEL rules cannot express because
// they need other objects: a ResiliencePolicy referencing a WasmFilter that does not exist
// (or is not Validated), a WasmFilter image the webhook will refuse to mount, fields the
// webhook ignores. All are warnings (kubectl prints them); the object is admitted, since the
// referenced object may legitimately be created next (GitOps applies in any order).
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/api/wasm_filter.h"
#include "limen/base/status.h"

namespace limen::webhook {

struct ValidationResult {
  std::vector<std::string> warnings;
};

// `object` is the admitted object; `filters` the WasmFilters of its namespace. An object of
// another kind gives no warnings; one that does not decode as its kind an InvalidArgument.
StatusOr<ValidationResult> ValidateLimenObject(const nlohmann::json& object,
                                               const std::vector<api::WasmFilter>& filters);

}  // namespace limen::webhook
