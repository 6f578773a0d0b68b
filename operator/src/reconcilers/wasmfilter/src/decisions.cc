#include "limen/reconcilers/wasmfilter/decisions.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <utility>

#include "limen/api/well_known.h"
#include "limen/kube/base64.h"
#include "limen/wasm/module.h"

namespace limen::reconcilers::wasmfilter {
namespace {

// Bounds of the CRD's status schema (crds/wasmfilters.yaml).
constexpr size_t kMaxReasonBytes = 4096;
constexpr size_t kMaxMessageBytes = 32768;
constexpr size_t kMaxListItems = 1024;
constexpr size_t kMaxItemBytes = 512;

// `s` cut to at most `max` bytes on a UTF-8 character boundary (a cut character would make
// the JSON invalid).
std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::vector<std::string> Bounded(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  const size_t n = std::min(items.size(), kMaxListItems);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(Truncate(items[i], kMaxItemBytes));
  return out;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// obj[k0][k1]... as a string, or "" when any step is missing or not the right type.
std::string StringAt(const kube::Object& obj, std::initializer_list<std::string_view> path) {
  const kube::Object* cur = &obj;
  for (std::string_view k : path) {
    if (!cur->is_object()) return "";
    auto it = cur->find(std::string(k));
    if (it == cur->end()) return "";
    cur = &*it;
  }
  return cur->is_string() ? cur->get<std::string>() : "";
}

Verdict Reject(std::string_view reason, std::string message) {
  Verdict v;
  v.reason = std::string(reason);
  v.message = std::move(message);
  return v;
}

Verdict DecideImage(const api::ImageSource& image, const Config& config) {
  const std::string& ref = image.reference;
  auto parsed = ParseImageReference(ref);
  if (!parsed.ok()) {
    return Reject(kReasonInvalidImageReference,
                  "spec.source.image.reference: " + parsed.status().message());
  }
  if (Status pinned = CheckImagePinned(ref, config.allow_image_tags); !pinned.ok()) {
    return Reject(kReasonImageNotPinned, "spec.source.image.reference: " + pinned.message());
  }
  Verdict v;
  v.validated = true;
  if (!parsed->digest.empty()) {
    v.reason = std::string(kReasonImagePinned);
    v.message = "image " + ref +
                " is pinned by digest; the operator records the reference and does not fetch "
                "images: the kubelet pulls exactly this digest";
  } else {
    v.reason = std::string(kReasonImageTagAllowed);
    v.message = "image " + ref +
                " is pinned only by tag, which the operator config allows; the bytes behind a "
                "tag can change after this check";
  }
  return v;
}

// Names the failure of a module the validator rejected: the checks run in the validator's
// order (digest, size, structure, ABI); a module that reads cleanly failed its ABI.
std::string_view Classify(const wasm::Report& r, std::span<const uint8_t> bytes,
                          const wasm::ValidationOptions& o) {
  if (!o.expected_sha256.empty() && o.expected_sha256 != r.sha256) return kReasonSha256Mismatch;
  if (r.size > o.max_size) return kReasonTooLarge;
  if (wasm::ReadModule(bytes, wasm::ReadOptions{o.max_size}).ok()) return kReasonAbiMismatch;
  return kReasonInvalidModule;
}

Verdict DecideConfigMap(const api::WasmFilter& f, const kube::Object* config_map, wasm::Abi abi,
                        const Config& config) {
  const api::ConfigMapSource& src = *f.spec.wasm_source.config_map;
  const std::string where = "ConfigMap " + f.metadata.namespace_ + "/" + src.name;
  if (config_map == nullptr) {
    return Reject(kReasonConfigMapNotFound,
                  where +
                      " (spec.source.configMap.name) not found; the filter is validated "
                      "again when it appears");
  }
  auto bytes = ModuleFromConfigMap(*config_map, src.key);
  if (!bytes.ok()) {
    return Reject(bytes.status().code() == StatusCode::kNotFound ? kReasonKeyNotFound
                                                                 : kReasonInvalidEncoding,
                  where + ": " + bytes.status().message());
  }
  wasm::ValidationOptions options;
  options.abi = abi;
  options.max_size = config.max_module_size;
  options.expected_sha256 = f.spec.sha256;
  options.wasi_import_modules = config.wasi_import_modules;
  const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes->data()),
                                      bytes->size());
  Verdict v;
  v.report = wasm::Validate(span, options);
  const wasm::Report& r = *v.report;
  if (r.valid) {
    v.validated = true;
    v.reason = std::string(kReasonValid);
    v.message = "module sha256 " + r.sha256 + " (" + std::to_string(r.size) + " bytes) from " +
                where + " key " + src.key + " implements " + wasm::AbiName(abi);
  } else {
    v.reason = std::string(Classify(r, span, options));
    v.message = where + " key " + src.key + ": " + r.reason;
  }
  if (v.validated || v.reason == kReasonAbiMismatch) {
    v.detected_abi = r.detected_abi ? wasm::AbiName(*r.detected_abi) : "unknown";
  }
  return v;
}

}  // namespace

StatusOr<ImageReference> ParseImageReference(std::string_view reference) {
  if (reference.empty()) return Status::InvalidArgument("image reference is empty");
  ImageReference out;
  std::string_view name = reference;
  if (const size_t at = reference.find('@'); at != std::string_view::npos) {
    name = reference.substr(0, at);
    const std::string_view digest = reference.substr(at + 1);
    constexpr std::string_view kAlgo = "sha256:";
    if (!digest.starts_with(kAlgo) || digest.size() != kAlgo.size() + 64 ||
        !IsLowerHex(digest.substr(kAlgo.size()))) {
      return Status::InvalidArgument("image reference \"" + std::string(reference) +
                                     "\": the digest must be sha256: followed by 64 lower-case "
                                     "hex digits, got \"" +
                                     std::string(digest) + "\"");
    }
    out.digest = std::string(digest);
  }
  // A ':' after the last '/' starts the tag; one before it belongs to a registry host:port.
  const size_t slash = name.rfind('/');
  const size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    out.tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
    if (out.tag.empty()) {
      return Status::InvalidArgument("image reference \"" + std::string(reference) +
                                     "\": empty tag after ':'");
    }
  }
  if (name.empty()) {
    return Status::InvalidArgument("image reference \"" + std::string(reference) +
                                   "\": no repository");
  }
  out.repository = std::string(name);
  return out;
}

Status CheckImagePinned(std::string_view reference, bool allow_tags) {
  LIMEN_ASSIGN_OR_RETURN(ImageReference ref, ParseImageReference(reference));
  if (!ref.digest.empty() || allow_tags) return Status::Ok();
  const std::string what = ref.tag.empty() ? "has neither tag nor digest (it means :latest)"
                                           : "is pinned by tag \"" + ref.tag + "\", not by digest";
  return Status::FailedPrecondition("image reference \"" + std::string(reference) + "\" " + what +
                                    "; a tag can move to other bytes after validation. Use " +
                                    ref.repository +
                                    "@sha256:<64 hex digits>, or allow tags in the operator "
                                    "config (wasmFilters.allowImageTags)");
}

StatusOr<std::string> ModuleFromConfigMap(const kube::Object& config_map, std::string_view key) {
  const std::string k(key);
  auto in = [&](std::string_view field) {
    auto it = config_map.find(std::string(field));
    return it != config_map.end() && it->is_object() && it->contains(k);
  };
  if (!config_map.is_object() || !in("binaryData")) {
    if (config_map.is_object() && in("data")) {
      return Status::NotFound("key \"" + k +
                              "\" is in data, which holds UTF-8 text; a WASM module must be "
                              "in binaryData");
    }
    return Status::NotFound("no binaryData key \"" + k + "\" (spec.source.configMap.key)");
  }
  const kube::Object& value = *config_map.find("binaryData")->find(k);
  if (!value.is_string()) {
    return Status::InvalidArgument("binaryData[\"" + k + "\"] is not a string");
  }
  auto decoded = kube::Base64Decode(value.get_ref<const std::string&>());
  if (!decoded) return Status::InvalidArgument("binaryData[\"" + k + "\"] is not valid base64");
  return std::move(*decoded);
}

Verdict Decide(const api::WasmFilter& filter, const kube::Object* config_map,
               const Config& config) {
  api::WasmFilter f = filter;
  api::SetDefaults(f);
  auto abi = wasm::ParseAbi(*f.spec.abi);
  if (!abi.ok()) return Reject(kReasonInvalidSpec, "spec.abi: " + abi.status().message());
  const api::WasmSource& src = f.spec.wasm_source;
  if (src.config_map.has_value() == src.image.has_value()) {
    return Reject(kReasonInvalidSpec, "spec.source: needs exactly one of configMap or image");
  }
  if (src.image) return DecideImage(*src.image, config);
  return DecideConfigMap(f, config_map, *abi, config);
}

api::WasmFilterStatus BuildStatus(const api::WasmFilterStatus& previous, const Verdict& verdict,
                                  int64_t generation, api::Time now) {
  api::WasmFilterStatus s = previous;
  // What the verdict says replaces what an earlier one said, including its absence: drop the
  // keys from the decoded source so that a cleared field is removed, not written as "".
  if (s.source.is_object()) {
    for (const char* k : {"sha256", "size", "abi", "imports", "exports", "reason"}) {
      s.source.erase(std::string(k));
    }
  }
  s.sha256.clear();
  s.size = 0;
  s.abi = verdict.detected_abi;
  s.imports.clear();
  s.exports.clear();
  s.reason.clear();
  s.observed_generation = generation;

  api::Condition c;
  c.type = std::string(api::kConditionValidated);
  c.status = std::string(verdict.validated ? api::kConditionTrue : api::kConditionFalse);
  c.observed_generation = generation;
  c.reason = verdict.reason;
  c.message = Truncate(verdict.message, kMaxMessageBytes);
  api::SetStatusCondition(s.conditions, std::move(c), now);

  if (verdict.report) {
    s.sha256 = verdict.report->sha256;
    s.size = static_cast<int64_t>(verdict.report->size);
    s.imports = Bounded(verdict.report->imports);
    s.exports = Bounded(verdict.report->exports);
  }
  if (!verdict.validated) s.reason = Truncate(verdict.message, kMaxReasonBytes);
  return s;
}

std::optional<EventSpec> TransitionEvent(const api::WasmFilterStatus& before,
                                         const api::WasmFilterStatus& after) {
  const api::Condition* b = api::FindStatusCondition(before.conditions, api::kConditionValidated);
  const api::Condition* a = api::FindStatusCondition(after.conditions, api::kConditionValidated);
  if (a == nullptr) return std::nullopt;
  if (b != nullptr && b->status == a->status && b->reason == a->reason &&
      b->message == a->message) {
    return std::nullopt;
  }
  EventSpec e;
  const bool ok = a->status == api::kConditionTrue;
  e.type = ok ? kube::EventType::kNormal : kube::EventType::kWarning;
  e.reason = std::string(ok ? kEventValidated : kEventValidationFailed);
  e.note = a->reason + ": " + a->message;
  return e;
}

std::vector<std::string> IndexBySourceConfigMap(const kube::Object& filter) {
  const std::string ns = StringAt(filter, {"metadata", "namespace"});
  const std::string name = StringAt(filter, {"spec", "source", "configMap", "name"});
  if (ns.empty() || name.empty()) return {};
  return {ns + "/" + name};
}

}  // namespace limen::reconcilers::wasmfilter
