// The injection planner: a PURE function
//
//   Plan(pod JSON, namespace, namespace labels, the namespace's ResiliencePolicies and
//        WasmFilters, InjectorConfig) → RFC 6902 JSON Patch + warnings + decision record
//
// implementing the injection contract of DESIGN.md. No I/O, no clock: the admission handler,
// the dry-run CLI, the unit tests and the fuzzer all call the same function.
//
// What an injection adds (see docs/webhook.md for the full Pod shape):
//   - the sidecar (config.sidecar_name): a native sidecar — first init container with
//     restartPolicy Always — or, when config.native_sidecar is false (clusters older than
//     1.29), the last regular container; image, command, resources and user come from the
//     config only; its securityContext meets Pod Security "restricted";
//   - volume limen-socket (emptyDir) mounted at /var/run/limen in the sidecar and every app
//     container, which also get LIMEN_SOCKET and LIMEN_LOCATOR;
//   - volume limen-config: the ConfigMap api::SidecarConfigMapName(policy), at /etc/limen
//     read-only in the sidecar;
//   - one volume per usable WasmFilter (ConfigMap binaryData key → module.wasm, or an OCI
//     image volume), mounted read-only at the directory of envoy::WasmModulePath(name);
//   - annotations limen.dev/injected = "<policy>@<status.renderedConfig.hash>" and
//     limen.dev/injection-status = "injected".
//
// Decisions, in order (the first that applies wins):
//   untouched (empty patch): InvalidPod, ProtectedNamespace (kube-system, kube-node-lease,
//     the Limen namespace), NamespaceNotEnabled, OptedOut (label limen.dev/inject=false),
//     AlreadyInjected (sidecar present and annotated — so Plan(apply(Plan(p))) is empty);
//   skipped (patch only sets limen.dev/injection-status = "skipped: <Reason>", and removes a
//     limen.dev/injected the Pod did not get from us): NameCollision (a user container, volume
//     or mount uses one of our names/paths), HostNetwork, NoPolicy, PolicyNotRendered;
//   injected.
// Several matching policies: the first by name wins, with a warning. A referenced WasmFilter
// that is missing, not Validated, or an image not pinned by digest is left out with a warning.
//
// Thread-safety: pure function.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/webhook/config.h"

namespace limen::webhook {

using Json = nlohmann::json;

// Names and paths Limen puts into Pods.
inline constexpr std::string_view kSocketVolume = "limen-socket";
inline constexpr std::string_view kConfigVolume = "limen-config";
inline constexpr std::string_view kSocketDir = "/var/run/limen";
inline constexpr std::string_view kConfigDir = "/etc/limen";
inline constexpr std::string_view kEnvSocket = "LIMEN_SOCKET";
inline constexpr std::string_view kEnvLocator = "LIMEN_LOCATOR";
inline constexpr std::string_view kStatusInjected = "injected";

enum class Reason {
  kInjected,
  kInvalidPod,
  kProtectedNamespace,
  kNamespaceNotEnabled,
  kOptedOut,
  kAlreadyInjected,
  kNameCollision,
  kHostNetwork,
  kNoPolicy,
  kPolicyNotRendered,
};
// "Injected", "HostNetwork", ...: metric label and annotation spelling.
std::string_view ReasonName(Reason reason);
// Every reason, for creating metric series at 0.
const std::vector<Reason>& AllReasons();

// What was decided and why: logged, returned by the dry-run CLI, counted in metrics.
struct Decision {
  Reason reason = Reason::kInvalidPod;
  std::string message;                    // for humans: "pod uses the host network"
  std::string policy;                     // the chosen ResiliencePolicy, if any
  std::string hash;                       // its status.renderedConfig.hash
  std::vector<std::string> wasm_filters;  // filters mounted

  bool injected() const { return reason == Reason::kInjected; }
  // Untouched decisions leave the Pod exactly as it was (empty patch).
  bool untouched() const;
  Json ToJson() const;
};

struct PlanInput {
  const Json* pod = nullptr;  // REQUIRES: non-null (any JSON value; non-Pods → InvalidPod)
  // The AdmissionRequest's namespace (a Pod's metadata.namespace may be empty at CREATE).
  std::string ns;
  // Labels of the namespace; nullopt when unknown (then the webhook configuration's
  // namespaceSelector, which the apiserver evaluated, is trusted).
  std::optional<std::map<std::string, std::string>> namespace_labels;
  std::vector<api::ResiliencePolicy> policies;  // of the namespace (others are ignored)
  std::vector<api::WasmFilter> filters;         // of the namespace
  const InjectorConfig* config = nullptr;       // REQUIRES: non-null
};

struct Plan {
  Json patch = Json::array();  // RFC 6902 operations; empty = nothing to change
  std::vector<std::string> warnings;
  Decision decision;
};

Plan PlanInjection(const PlanInput& input);

// The policies (of `ns`) whose selector matches `pod_labels`, sorted by name. An absent
// selector selects nothing, an empty one everything (as metav1.LabelSelector).
std::vector<const api::ResiliencePolicy*> MatchingPolicies(
    const std::vector<api::ResiliencePolicy>& policies, const std::string& ns,
    const std::map<std::string, std::string>& pod_labels);

// Whether a WasmFilter may be mounted: condition Validated=True for its current generation.
bool IsValidated(const api::WasmFilter& filter);

// "limen-wasm-<name>" as a DNS label (dots → dashes; long names keep a hashed suffix).
std::string WasmVolumeName(std::string_view filter_name);

}  // namespace limen::webhook
