// The pure decisions of the ResiliencePolicy reconciler (the operator side of issue 8): which
// WasmFilters a policy needs and whether they are usable, what to do with the policy's
// sidecar ConfigMap (create, update, leave alone, or refuse to touch someone else's), the
// policy's next status, the Event of a transition, and which policies an event on a related
// object concerns.
//
// Nothing here does I/O or reads a clock; the reconciler (reconciler.h) reads the caches,
// calls lib/envoy's renderer and these functions, and writes the result.
//
// Thread-safety: pure functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/base/status.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/store.h"

namespace limen::reconcilers::resiliencepolicy {

// The condition this reconciler owns: Ready (the API's printer column) — the configuration is
// rendered and every referenced WasmFilter is validated; the reason says which.
inline constexpr std::string_view kConditionReady = "Ready";

// Reasons of the Ready condition.
inline constexpr std::string_view kReasonRendered = "Rendered";
inline constexpr std::string_view kReasonWasmFilterNotFound = "WasmFilterNotFound";
inline constexpr std::string_view kReasonWasmFilterNotValidated = "WasmFilterNotValidated";
inline constexpr std::string_view kReasonInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kReasonRenderFailed = "RenderFailed";
inline constexpr std::string_view kReasonConfigMapConflict = "ConfigMapConflict";

// Event reasons of a transition.
inline constexpr std::string_view kEventRendered = "Rendered";
inline constexpr std::string_view kEventRenderFailed = "RenderFailed";

// The operator's settings for policy rendering (from its config file).
struct Config {
  // The app ports every policy's sidecar forwards to. One ConfigMap serves all Pods of a
  // policy and this reconciler does not read Pods, so the ports are an operator setting.
  std::vector<int> app_ports = {8080};
  // fieldManager of the writes.
  std::string field_manager = "limen-operator";
};

// The WasmFilters `policy` references, decoded from `namespace_filters` (the filters of the
// policy's namespace as the informer holds them), in the order of spec.wasmFilters.
// NotFound naming the reference when one does not exist; FailedPrecondition when one is not
// Validated=True (with its condition's reason and message); InvalidArgument when one does not
// decode. Validation for an older generation, ABI and digest rules are the renderer's.
StatusOr<std::vector<api::WasmFilter>> GatherFilters(
    const api::ResiliencePolicy& policy, const std::vector<kube::ObjectPtr>& namespace_filters);

// The Rendered condition's reason for a failure of GatherFilters or of the renderer.
std::string_view ReasonFor(const Status& failure);

// What to do with the policy's ConfigMap given the one that exists (nullptr: none) and the
// one the renderer wants (`desired`, from envoy::RenderConfigMap).
struct ConfigMapPlan {
  enum class Action { kNone, kCreate, kUpdate, kConflict };
  Action action = Action::kNone;
  kube::Object object;  // kCreate: desired; kUpdate: existing with desired's content
  std::string message;  // kConflict: why the ConfigMap is not ours to write
};
// The ConfigMap is ours when an ownerReference with controller=true names the policy's uid
// (`policy_uid`). Its content is data, binaryData, the managed-by label, the hash annotation
// and ownerReferences; an update replaces those and keeps everything else (other labels and
// annotations, resourceVersion as the precondition).
ConfigMapPlan PlanConfigMap(const kube::Object* existing, const kube::Object& desired,
                            std::string_view policy_uid);

// What a reconcile concluded, for BuildStatus.
struct RenderOutcome {
  bool rendered = false;
  std::string reason;          // a kReason* constant
  std::string message;         // for humans; stable for the same inputs
  api::RenderedConfig config;  // when rendered: ConfigMap name and hash
};

// The policy's next status: `previous` with observedGeneration, the Rendered condition for
// `generation` (lastTransitionTime moves only when its status changes) and, when rendered,
// renderedConfig. A failure leaves renderedConfig as it was, because the ConfigMap it names
// is left as it was. matchedWorkloads/injectedPods and other fields are kept.
api::ResiliencePolicyStatus BuildStatus(const api::ResiliencePolicyStatus& previous,
                                        const RenderOutcome& outcome, int64_t generation,
                                        api::Time now);

struct EventSpec {
  kube::EventType type = kube::EventType::kNormal;
  std::string reason;  // kEventRendered or kEventRenderFailed
  std::string note;
};
// An Event when the Rendered condition's status, reason or message changed (a new hash is a
// new message). nullopt otherwise.
std::optional<EventSpec> TransitionEvent(const api::ResiliencePolicyStatus& before,
                                         const api::ResiliencePolicyStatus& after);

// Keys of the policies among `policies` (JSON) in namespace `ns` whose spec.wasmFilters name
// `filter`. The WasmFilter handler enqueues them.
std::vector<std::string> PoliciesReferencingFilter(const std::vector<kube::ObjectPtr>& policies,
                                                   std::string_view ns, std::string_view filter);

// "namespace/name" of the ResiliencePolicy that controls this ConfigMap (an ownerReference
// with controller=true, kind ResiliencePolicy, apiVersion limen.dev/...), or nullopt.
std::optional<std::string> OwnerPolicyKey(const kube::Object& config_map);

}  // namespace limen::reconcilers::resiliencepolicy
