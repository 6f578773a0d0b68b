// The pure decisions of the WasmFilter reconciler (issue 9): from a WasmFilter, the ConfigMap
// it points at (if any) and the operator's settings, decide whether the module is Validated
// and why, and turn that verdict into the filter's status and the Event of a transition.
//
// Nothing here does I/O or reads a clock: the reconciler (reconciler.h) reads the caches,
// calls these functions and writes the result. Every rejection names what is wrong, where
// (the ConfigMap and key, the image reference, the module's section and offset) and, when
// there is one, what to do instead.
//
// Thread-safety: pure functions on values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/wasm_filter.h"
#include "limen/base/status.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/store.h"
#include "limen/wasm/validator.h"

namespace limen::reconcilers::wasmfilter {

// Reasons of the Validated condition (CamelCase, as the API conventions ask).
inline constexpr std::string_view kReasonValid = "Valid";
inline constexpr std::string_view kReasonImagePinned = "ImagePinned";
inline constexpr std::string_view kReasonImageTagAllowed = "ImageTagAllowed";
inline constexpr std::string_view kReasonImageNotPinned = "ImageNotPinnedByDigest";
inline constexpr std::string_view kReasonInvalidImageReference = "InvalidImageReference";
inline constexpr std::string_view kReasonConfigMapNotFound = "ConfigMapNotFound";
inline constexpr std::string_view kReasonKeyNotFound = "KeyNotFound";
inline constexpr std::string_view kReasonInvalidEncoding = "InvalidEncoding";
inline constexpr std::string_view kReasonInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kReasonSha256Mismatch = "Sha256Mismatch";
inline constexpr std::string_view kReasonTooLarge = "TooLarge";
inline constexpr std::string_view kReasonInvalidModule = "InvalidModule";
inline constexpr std::string_view kReasonAbiMismatch = "AbiMismatch";

// Event reasons of a transition.
inline constexpr std::string_view kEventValidated = "Validated";
inline constexpr std::string_view kEventValidationFailed = "ValidationFailed";

// The operator's settings for WasmFilter validation (from its config file).
struct Config {
  // Accept image sources pinned only by tag (ghcr.io/acme/f:1.0). Off by default: a tag can
  // be moved to other bytes after validation, a digest cannot.
  bool allow_image_tags = false;
  size_t max_module_size = size_t{8} * 1024 * 1024;  // issue 9: 8 MiB
  // Modules a `wasi` filter may import from.
  std::vector<std::string> wasi_import_modules = {"wasi_snapshot_preview1"};
  // fieldManager of the status writes.
  std::string field_manager = "limen-operator";
};

// An OCI reference split as the distribution grammar does: [host[:port]/]path[:tag][@digest].
struct ImageReference {
  std::string repository;  // everything before the tag and digest
  std::string tag;         // "" when absent
  std::string digest;      // "sha256:<64 hex>", or "" when absent
};

// Splits `reference`; InvalidArgument naming the problem when it is empty, has an empty
// repository or tag, or a digest that is not "sha256:" followed by 64 lower-case hex digits.
StatusOr<ImageReference> ParseImageReference(std::string_view reference);

// OK when the reference is pinned by digest, or when tags are allowed. Otherwise
// FailedPrecondition with a message that says what to write instead.
Status CheckImagePinned(std::string_view reference, bool allow_tags);

// The outcome of one validation.
struct Verdict {
  bool validated = false;
  std::string reason;   // a kReason* constant
  std::string message;  // for humans; stable for the same inputs (no timestamps)
  // What was learnt from the module bytes, when there were bytes to look at.
  std::optional<wasm::Report> report;
  // The ABI the module's exports show ("proxy-wasm", "wasi", "unknown"); "" when the module
  // was not read (no bytes, wrong digest, not well-formed).
  std::string detected_abi;
};

// The module bytes of binaryData[key] of `config_map` (a v1 ConfigMap as JSON). NotFound when
// the key is absent (saying so when it is in `data`, which holds only text), InvalidArgument
// when its value is not base64.
StatusOr<std::string> ModuleFromConfigMap(const kube::Object& config_map, std::string_view key);

// Validates `filter` (defaults applied) given the ConfigMap its source names — nullptr when
// that ConfigMap does not exist (or the source is an image).
Verdict Decide(const api::WasmFilter& filter, const kube::Object* config_map, const Config& config);

// The filter's next status: `previous` with the Validated condition set for `generation`
// (lastTransitionTime moves only when the condition's status changes), observedGeneration,
// and sha256/size/abi/imports/exports/reason from the verdict (cleared when unknown). Fields
// written by others stay. Values are bounded to what the CRD allows (reason ≤ 4096 bytes,
// ≤ 1024 imports/exports of ≤ 512 bytes each).
api::WasmFilterStatus BuildStatus(const api::WasmFilterStatus& previous, const Verdict& verdict,
                                  int64_t generation, api::Time now);

// An Event worth recording when the status moves from `before` to `after`: the Validated
// condition changed status, or its reason or message changed (a different module, a
// different failure). nullopt when nothing a user would want to hear about happened.
struct EventSpec {
  kube::EventType type = kube::EventType::kNormal;
  std::string reason;  // kEventValidated or kEventValidationFailed
  std::string note;
};
std::optional<EventSpec> TransitionEvent(const api::WasmFilterStatus& before,
                                         const api::WasmFilterStatus& after);

// The index of the WasmFilter Store that maps a ConfigMap to the filters reading from it: a
// filter whose source is configMap {name} is indexed under "<its namespace>/<name>"; image
// sources are not indexed. The ConfigMap handler (controller.h) looks ConfigMaps up in it.
inline constexpr char kIndexSourceConfigMap[] = "source-configmap";
std::vector<std::string> IndexBySourceConfigMap(const kube::Object& filter);

}  // namespace limen::reconcilers::wasmfilter
