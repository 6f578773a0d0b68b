// WasmFilter (limen.dev/v1alpha1, namespaced, short name wasmf): a WASM module for the
// sidecar's HTTP filter chain, from a ConfigMap (binaryData) or an OCI image, pinned by
// sha256. Status reports the operator's validation. Field names follow
// crds/wasmfilters.yaml.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/conditions.h"
#include "limen/api/meta.h"

namespace limen::api {

inline constexpr std::string_view kAbiProxyWasm = "proxy-wasm";
inline constexpr std::string_view kAbiWasi = "wasi";
inline constexpr std::string_view kFailClosed = "FailClosed";
inline constexpr std::string_view kFailOpen = "FailOpen";

struct ConfigMapSource {
  std::string name;
  std::string key;  // a binaryData key
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("key", s.key);
  }
};

struct ImageSource {
  std::string reference;
  std::optional<std::string> pull_policy;  // default "IfNotPresent"
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("reference", s.reference);
    f("pullPolicy", s.pull_policy);
  }
};

// Exactly one of config_map and image (the CRD enforces it).
struct WasmSource {
  std::optional<ConfigMapSource> config_map;
  std::optional<ImageSource> image;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("configMap", s.config_map);
    f("image", s.image);
  }
};

struct WasmFilterSpec {
  WasmSource wasm_source;  // "source" on the wire
  std::string sha256;
  std::optional<std::string> abi;            // default "proxy-wasm"
  std::optional<std::string> phase;          // default "UNSPECIFIED"
  std::optional<int64_t> priority;           // default 0
  std::optional<std::string> fail_strategy;  // default "FailClosed"
  Json config;                               // free-form
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("source", s.wasm_source);
    f("sha256", s.sha256);
    f("abi", s.abi);
    f("phase", s.phase);
    f("priority", s.priority);
    f("failStrategy", s.fail_strategy);
    f("config", s.config);
  }
};

struct WasmFilterStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;  // Validated
  std::string sha256;
  int64_t size = 0;
  std::string abi;  // detected: proxy-wasm, wasi or unknown
  std::vector<std::string> imports;
  std::vector<std::string> exports;
  std::string reason;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("observedGeneration", s.observed_generation);
    f("conditions", s.conditions);
    f("sha256", s.sha256);
    f("size", s.size);
    f("abi", s.abi);
    f("imports", s.imports);
    f("exports", s.exports);
    f("reason", s.reason);
  }
};

struct WasmFilter {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  WasmFilterSpec spec;
  WasmFilterStatus status;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("apiVersion", s.api_version);
    f("kind", s.kind);
    f("metadata", s.metadata);
    f("spec", s.spec);
    f("status", s.status);
  }
};

// The CRD's defaults, applied to absent fields only (as the apiserver does).
void SetDefaults(WasmFilterSpec& spec);
void SetDefaults(WasmFilter& filter);

}  // namespace limen::api
