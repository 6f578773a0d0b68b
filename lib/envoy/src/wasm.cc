// wasmFilters → envoy.filters.http.wasm entries: resolving references to validated
// WasmFilters, their filter-chain order, and the PluginConfig of each.
#include <algorithm>

#include "limen/api/conditions.h"
#include "limen/api/well_known.h"
#include "plan.h"

namespace limen::envoy::internal {
namespace {

int PhaseRank(const std::string& phase) {
  if (phase == "AUTHN") return 0;
  if (phase == "AUTHZ") return 1;
  if (phase == "STATS") return 2;
  if (phase == "UNSPECIFIED") return 3;
  return -1;
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Only a module the operator validated (for the filter's current generation) is rendered:
// Envoy would otherwise fail to load it at runtime, or load something nobody checked.
Status CheckValidated(const api::WasmFilter& f, const std::string& where) {
  const api::Condition* c = api::FindStatusCondition(f.status.conditions, api::kConditionValidated);
  if (c == nullptr || c->status != api::kConditionTrue) {
    std::string why = c == nullptr ? "no Validated condition yet" : "Validated is " + c->status;
    if (c != nullptr && !c->message.empty()) why += " (" + c->message + ")";
    return Status::FailedPrecondition(where + ": WasmFilter is not validated: " + why);
  }
  const int64_t gen = f.metadata.generation;
  if (gen != 0 && c->observed_generation != 0 && c->observed_generation != gen) {
    return Status::FailedPrecondition(where +
                                      ": WasmFilter's Validated condition is for generation " +
                                      std::to_string(c->observed_generation) +
                                      ", the spec is at generation " + std::to_string(gen));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<WasmPlan> ResolveWasmFilter(const api::WasmFilterRef& ref, size_t index,
                                     const std::string& policy_namespace,
                                     const std::vector<api::WasmFilter>& filters) {
  const std::string where = "spec.wasmFilters[" + std::to_string(index) + "] (" + ref.name + ")";
  auto it = std::find_if(filters.begin(), filters.end(), [&](const api::WasmFilter& f) {
    return f.metadata.name == ref.name &&
           (f.metadata.namespace_.empty() || policy_namespace.empty() ||
            f.metadata.namespace_ == policy_namespace);
  });
  if (it == filters.end()) {
    return Status::NotFound(where + ": WasmFilter " + policy_namespace + "/" + ref.name +
                            " not found");
  }
  api::WasmFilter f = *it;
  api::SetDefaults(f);
  LIMEN_RETURN_IF_ERROR(CheckValidated(f, where));
  const std::string abi = f.status.abi.empty() ? *f.spec.abi : f.status.abi;
  if (*f.spec.abi != api::kAbiProxyWasm || abi != api::kAbiProxyWasm) {
    return Status::InvalidArgument(where + ": the module's ABI is " + abi +
                                   "; Envoy's HTTP wasm filter runs only proxy-wasm modules");
  }
  WasmPlan w;
  w.name = f.metadata.name;
  w.sha256 = f.status.sha256.empty() ? f.spec.sha256 : f.status.sha256;
  if (!f.spec.sha256.empty() && !f.status.sha256.empty() && f.spec.sha256 != f.status.sha256) {
    return Status::FailedPrecondition(where + ": status.sha256 " + f.status.sha256 +
                                      " differs from spec.sha256 " + f.spec.sha256);
  }
  if (!IsSha256Hex(w.sha256)) {
    return Status::FailedPrecondition(where +
                                      ": no sha256 of the module is known (status.sha256 and "
                                      "spec.sha256 are empty or malformed)");
  }
  w.phase_rank = PhaseRank(*f.spec.phase);
  if (w.phase_rank < 0) {
    return Status::InvalidArgument(where + ": unknown phase \"" + *f.spec.phase + "\"");
  }
  w.priority = *f.spec.priority;
  w.fail_open = *f.spec.fail_strategy == api::kFailOpen;
  if (ref.config && !ref.config->is_null()) {
    w.configuration = *ref.config;
  } else if (!f.spec.config.is_null()) {
    w.configuration = f.spec.config;
  }
  return w;
}

void SortWasmFilters(std::vector<WasmPlan>& wasm) {
  std::sort(wasm.begin(), wasm.end(), [](const WasmPlan& a, const WasmPlan& b) {
    if (a.phase_rank != b.phase_rank) return a.phase_rank < b.phase_rank;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.name < b.name;
  });
}

nlohmann::json WasmHttpFilter(const WasmPlan& w, const RenderConfig& config) {
  using nlohmann::json;
  // A local DataSource cannot carry a sha256 (only remote sources can), so the digest goes
  // into vm_id: a changed module changes the rendered config and its hash, and Envoy does
  // not share a VM between two versions of a module.
  json plugin = {
      {"name", w.name},
      {"vm_config",
       {{"vm_id", w.name + "@sha256:" + w.sha256},
        {"runtime", "envoy.wasm.runtime.v8"},
        {"code", {{"local", {{"filename", WasmModulePath(w.name, config.wasm_module_dir)}}}}}}},
      // failure_policy supersedes the deprecated fail_open.
      {"failure_policy", w.fail_open ? "FAIL_OPEN" : "FAIL_CLOSED"},
  };
  if (w.configuration) {
    plugin["configuration"] = TypedConfig(
        "google.protobuf.StringValue",
        {{"value",
          w.configuration->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}});
  }
  return {{"name", "envoy.filters.http.wasm/" + w.name},
          {"typed_config",
           TypedConfig("envoy.extensions.filters.http.wasm.v3.Wasm", {{"config", plugin}})}};
}

}  // namespace limen::envoy::internal
