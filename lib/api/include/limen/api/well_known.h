// Well-known names of the limen.dev API: group/version, kinds, the probe catalogue, the
// labels and annotations of the injection contract, and the deterministic names of the
// objects Limen creates (DESIGN.md). One place, so that the operator, the webhook and the
// node agent can never disagree on a spelling.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace limen::api {

inline constexpr std::string_view kGroup = "limen.dev";
inline constexpr std::string_view kVersion = "v1alpha1";
inline constexpr std::string_view kApiVersion = "limen.dev/v1alpha1";

inline constexpr std::string_view kKindObservabilityPolicy = "ObservabilityPolicy";
inline constexpr std::string_view kKindResiliencePolicy = "ResiliencePolicy";
inline constexpr std::string_view kKindWasmFilter = "WasmFilter";
inline constexpr std::string_view kKindInstrumentedWorkload = "InstrumentedWorkload";
inline constexpr std::string_view kKindNodeProbeState = "NodeProbeState";

// Limen's own namespace.
inline constexpr std::string_view kLimenNamespace = "limen-system";

// The probe catalogue: the only BPF programs a policy can ask for.
inline constexpr std::array<std::string_view, 8> kProbeCatalogue = {
    "process.exec", "process.exit",        "tcp.send",          "tcp.retransmit",
    "tcp.state",    "go.goroutine.create", "go.goroutine.exit", "go.chan.block",
};
bool IsCatalogueProbe(std::string_view name);

// Injection contract. Namespace label: opt the namespace in.
inline constexpr std::string_view kLabelInjection = "limen.dev/injection";
inline constexpr std::string_view kInjectionEnabled = "enabled";
// Pod label: "false" opts a Pod out.
inline constexpr std::string_view kLabelInject = "limen.dev/inject";
inline constexpr std::string_view kInjectDisabled = "false";
// Pod annotations written by the webhook: "policy@hash", and why injected or skipped.
inline constexpr std::string_view kAnnotationInjected = "limen.dev/injected";
inline constexpr std::string_view kAnnotationInjectionStatus = "limen.dev/injection-status";
// On every object Limen creates.
inline constexpr std::string_view kLabelManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByLimen = "limen";

// Readiness criteria names (InstrumentedWorkload.status.criteria[].name) and conditions.
inline constexpr std::string_view kCriterionStartup = "Startup";
inline constexpr std::string_view kCriterionMemory = "Memory";
inline constexpr std::string_view kCriterionCoverage = "Coverage";
inline constexpr std::string_view kConditionReady = "Ready";
inline constexpr std::string_view kConditionThresholdsMet = "ThresholdsMet";
inline constexpr std::string_view kConditionValidated = "Validated";
inline constexpr std::string_view kReasonSustained = "Sustained";

// "limen-<policy>-sidecar": the ConfigMap holding a ResiliencePolicy's rendered config.
std::string SidecarConfigMapName(std::string_view policy);
// "<kind>-<name>" in lower case: the InstrumentedWorkload of a workload, e.g.
// ("Deployment", "web") → "deployment-web".
std::string InstrumentedWorkloadName(std::string_view kind, std::string_view name);

}  // namespace limen::api
