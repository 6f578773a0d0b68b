#include "limen/wasm/validator.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

namespace limen::wasm {
namespace {

bool ExportsFunction(const Module& m, std::string_view name) {
  const Export* e = m.FindExport(name);
  return e != nullptr && e->kind == ExternalKind::kFunction;
}

bool ExportsMemory(const Module& m) {
  return std::any_of(m.exports.begin(), m.exports.end(),
                     [](const Export& e) { return e.kind == ExternalKind::kMemory; });
}

Status CheckWasi(const Module& m, const ValidationOptions& o) {
  if (!ExportsFunction(m, "_start") && !ExportsFunction(m, "_initialize")) {
    return Status::FailedPrecondition("wasi: exports neither _start nor _initialize");
  }
  if (!ExportsMemory(m)) return Status::FailedPrecondition("wasi: does not export its memory");
  for (const auto& i : m.imports) {
    if (std::find(o.wasi_import_modules.begin(), o.wasi_import_modules.end(), i.module) ==
        o.wasi_import_modules.end()) {
      return Status::FailedPrecondition("wasi: import \"" + i.module + "." + i.name +
                                        "\" is from a module outside the allowed list");
    }
  }
  return Status::Ok();
}

Status CheckProxyWasm(const Module& m) {
  if (!ExportsFunction(m, "proxy_abi_version_0_2_0") &&
      !ExportsFunction(m, "proxy_abi_version_0_2_1")) {
    return Status::FailedPrecondition(
        "proxy-wasm: exports neither proxy_abi_version_0_2_0 nor proxy_abi_version_0_2_1");
  }
  if (!ExportsFunction(m, "proxy_on_memory_allocate") && !ExportsFunction(m, "malloc")) {
    return Status::FailedPrecondition(
        "proxy-wasm: exports no allocator (proxy_on_memory_allocate or malloc)");
  }
  if (!ExportsMemory(m))
    return Status::FailedPrecondition("proxy-wasm: does not export its memory");
  for (const auto& i : m.imports) {
    const bool host = i.module == "env" && i.name.rfind("proxy_", 0) == 0;
    if (!host && i.module != "wasi_snapshot_preview1") {
      return Status::FailedPrecondition("proxy-wasm: import \"" + i.module + "." + i.name +
                                        "\" is neither env.proxy_* nor wasi_snapshot_preview1");
    }
  }
  return Status::Ok();
}

void Summarize(const Module& m, Report& r) {
  for (const auto& i : m.imports) r.imports.push_back(i.module + "." + i.name);
  for (const auto& e : m.exports) {
    r.exports.push_back(e.name + " (" + ExternalKindName(e.kind) + ")");
  }
}

}  // namespace

const char* AbiName(Abi abi) { return abi == Abi::kWasi ? "wasi" : "proxy-wasm"; }

StatusOr<Abi> ParseAbi(std::string_view name) {
  if (name == "wasi") return Abi::kWasi;
  if (name == "proxy-wasm") return Abi::kProxyWasm;
  return Status::InvalidArgument("unknown ABI \"" + std::string(name) +
                                 "\" (expected wasi or proxy-wasm)");
}

std::optional<Abi> DetectAbi(const Module& m) {
  if (ExportsFunction(m, "proxy_abi_version_0_2_0") ||
      ExportsFunction(m, "proxy_abi_version_0_2_1")) {
    return Abi::kProxyWasm;
  }
  if (ExportsFunction(m, "_start") || ExportsFunction(m, "_initialize")) return Abi::kWasi;
  return std::nullopt;
}

Status CheckAbi(const Module& m, Abi abi, const ValidationOptions& o) {
  return abi == Abi::kWasi ? CheckWasi(m, o) : CheckProxyWasm(m);
}

std::string Sha256Hex(std::span<const uint8_t> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(len * 2);
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

Report Validate(std::span<const uint8_t> bytes, const ValidationOptions& o) {
  Report r;
  r.size = bytes.size();
  r.sha256 = Sha256Hex(bytes);
  if (!o.expected_sha256.empty() && o.expected_sha256 != r.sha256) {
    r.reason =
        "sha256 mismatch: spec.sha256 is " + o.expected_sha256 + ", the module's is " + r.sha256;
    return r;
  }
  auto module = ReadModule(bytes, ReadOptions{o.max_size});
  if (!module.ok()) {
    r.reason = module.status().message();
    return r;
  }
  Summarize(*module, r);
  r.detected_abi = DetectAbi(*module);
  if (o.abi) {
    if (Status s = CheckAbi(*module, *o.abi, o); !s.ok()) {
      r.reason = s.message();
      return r;
    }
  }
  r.valid = true;
  return r;
}

}  // namespace limen::wasm
