#include "limen/api/wasm_filter.h"

namespace limen::api {

void SetDefaults(WasmFilterSpec& spec) {
  if (spec.wasm_source.image && !spec.wasm_source.image->pull_policy) {
    spec.wasm_source.image->pull_policy = "IfNotPresent";
  }
  if (!spec.abi) spec.abi = std::string(kAbiProxyWasm);
  if (!spec.phase) spec.phase = "UNSPECIFIED";
  if (!spec.priority) spec.priority = 0;
  if (!spec.fail_strategy) spec.fail_strategy = std::string(kFailClosed);
}

void SetDefaults(WasmFilter& filter) { SetDefaults(filter.spec); }

}  // namespace limen::api
