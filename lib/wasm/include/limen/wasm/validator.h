// Validation of a WebAssembly module for injection by Limen: well-formed (ReadModule), within
// the size limit, matching its declared sha256, and meeting the host ABI it claims:
//
//   wasi        imports only from wasi_snapshot_preview1 (or an allow-list of modules);
//               exports `_start` (command) or `_initialize` (reactor) and its memory.
//   proxy-wasm  exports proxy_abi_version_0_2_0 or _0_2_1, an allocator
//               (proxy_on_memory_allocate or malloc) and its memory; imports only `env.proxy_*`
//               or wasi_snapshot_preview1.
//
// The Report always carries size and sha256 and, when the module is readable, the detected
// ABI and an imports/exports summary, so status can show what was found even on rejection.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"
#include "limen/wasm/module.h"

namespace limen::wasm {

enum class Abi { kWasi, kProxyWasm };
const char* AbiName(Abi abi);  // "wasi", "proxy-wasm"
StatusOr<Abi> ParseAbi(std::string_view name);

struct ValidationOptions {
  std::optional<Abi> abi;  // the ABI the module must meet; nullopt = only well-formedness
  size_t max_size = size_t{8} * 1024 * 1024;
  std::string expected_sha256;  // lower-case hex; empty = not checked
  std::vector<std::string> wasi_import_modules = {"wasi_snapshot_preview1"};
};

struct Report {
  bool valid = false;
  std::string reason;  // why not valid; empty when valid
  size_t size = 0;
  std::string sha256;  // lower-case hex of the bytes
  std::optional<Abi> detected_abi;
  std::vector<std::string> imports;  // "module.name"
  std::vector<std::string> exports;  // "name (kind)"
};

Report Validate(std::span<const uint8_t> bytes, const ValidationOptions& options);

// The ABI a module appears to target from its exports, if any.
std::optional<Abi> DetectAbi(const Module& module);
// OK, or FailedPrecondition naming the first rule the module breaks.
Status CheckAbi(const Module& module, Abi abi, const ValidationOptions& options);

std::string Sha256Hex(std::span<const uint8_t> bytes);

}  // namespace limen::wasm
