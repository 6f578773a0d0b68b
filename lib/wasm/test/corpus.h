// The validation corpus: valid modules and ≥ 25 malformed or wrong-ABI ones, each with the
// verdict Limen must reach and the reason it must give. Used by the corpus unit test and
// written to disk by wasm_corpus_gen for the cross-check against `wasm-tools validate`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder.h"
#include "limen/wasm/validator.h"

namespace limen::wasm::testing {

struct CorpusCase {
  std::string name;
  Bytes bytes;
  std::optional<Abi> abi;       // validated for this ABI (nullopt: well-formedness only)
  bool well_formed;             // what `wasm-tools validate` must also say
  std::string reason;           // substring of Limen's reason; empty = valid
  std::string expected_sha256;  // set only by the sha256 case
  size_t max_size = 8 * 1024 * 1024;
  // A well-formed component-model binary: wasm-tools accepts it, Limen rejects it by policy
  // (filters are core modules), so the cross-check expects exactly that difference.
  bool component = false;
};

inline Bytes operator+(Bytes a, const Bytes& b) {
  Append(a, b);
  return a;
}

inline Bytes WithSection(Bytes m, uint8_t id, const Bytes& content) {
  Append(m, Section(id, content));
  return m;
}

inline std::vector<CorpusCase> Corpus() {
  const Bytes h = Header();
  const Bytes types = Section(1, Vec({FuncType({}, {})}));
  std::vector<CorpusCase> c;
  auto add = [&](std::string name, Bytes b, std::optional<Abi> abi, bool wf, std::string reason) {
    c.push_back(
        {std::move(name), std::move(b), abi, wf, std::move(reason), "", 8 * 1024 * 1024, false});
  };

  // --- valid ---
  add("valid-empty-module", h, std::nullopt, true, "");
  add("valid-wasi-reactor", Build(WasiReactor()), Abi::kWasi, true, "");
  add("valid-proxy-wasm", Build(ProxyWasm()), Abi::kProxyWasm, true, "");
  {
    Bytes m = h;
    Append(m, Section(0, Name("producers")));
    Append(m, types);
    Append(m, Section(0, Name("name")));
    add("valid-custom-sections-anywhere", m, std::nullopt, true, "");
  }
  // --- malformed: header and framing ---
  add("empty-file", {}, std::nullopt, false, "bad magic number");
  add("truncated-header", {0x00, 0x61, 0x73}, std::nullopt, false, "bad magic number");
  add("bad-magic", {0x00, 0x61, 0x73, 0x6e, 0x01, 0, 0, 0}, std::nullopt, false,
      "bad magic number");
  add("bad-version", {0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0}, std::nullopt, false,
      "unsupported version");
  add("component-binary", {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}, std::nullopt, true,
      "components are not supported");
  c.back().component = true;
  add("section-past-end", h + Bytes{0x01, 0x10, 0x01, 0x60}, std::nullopt, false,
      "runs past the end of the module");
  add("unknown-section-id", WithSection(h, 0x20, {}), std::nullopt, false, "unknown section id 32");
  add("duplicate-type-section", WithSection(WithSection(h, 1, Vec({})), 1, Vec({})), std::nullopt,
      false, "out of order or duplicate section");
  {
    Bytes m = h;
    Append(m, types);
    Append(m, Section(3, Vec({Leb(0)})));
    Append(m, Section(2, Vec({})));
    add("import-after-function", m, std::nullopt, false, "out of order or duplicate section");
  }
  {
    Bytes m = h;
    Append(m, Bytes{0x01, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00});
    add("overlong-leb128-section-size", m, std::nullopt, false, "integer representation too long");
  }
  {
    Bytes m = h;
    Append(m, Bytes{0x01, 0x05, 0x80, 0x80, 0x80, 0x80, 0x1f});
    add("leb128-unused-bits-set", m, std::nullopt, false, "unused bits set");
  }
  add("truncated-leb128", h + Bytes{0x01, 0x80}, std::nullopt, false,
      "unexpected end in LEB128 section size");
  // --- malformed: section contents ---
  add("bad-type-form", WithSection(h, 1, Bytes{0x01, 0x61, 0x00, 0x00}), std::nullopt, false,
      "is not a function type");
  add("bad-value-type", WithSection(h, 1, Bytes{0x01, 0x60, 0x01, 0x40, 0x00}), std::nullopt, false,
      "invalid parameter value type 0x40");
  {
    Bytes imp = Name("env");
    Append(imp, Name("x"));
    imp.push_back(0x05);
    add("bad-import-kind", WithSection(h + types, 2, Vec({imp})), std::nullopt, false,
        "has invalid kind 5");
  }
  {
    Bytes imp = Leb(2);
    Append(imp, Bytes{0xc3, 0x28});
    Append(imp, Name("x"));
    Append(imp, Bytes{0x00, 0x00});
    add("import-name-not-utf8", WithSection(h + types, 2, Vec({imp})), std::nullopt, false,
        "import module name is not valid UTF-8");
  }
  add("function-type-out-of-range", WithSection(h + types, 3, Vec({Leb(7)})), std::nullopt, false,
      "type index 7 is out of range");
  {
    Bytes m = h + types;
    Append(m, Section(3, Vec({Leb(0), Leb(0)})));
    Append(m, Section(10, Vec({Body()})));
    add("function-code-count-mismatch", m, std::nullopt, false, "inconsistent lengths");
  }
  add("function-without-code", WithSection(h + types, 3, Vec({Leb(0)})), std::nullopt, false,
      "no code section");
  {
    Bytes m = h + types;
    Append(m, Section(3, Vec({Leb(0)})));
    Append(m, Section(7, Vec({ExportEntry("f", 0, 0), ExportEntry("f", 0, 0)})));
    Append(m, Section(10, Vec({Body()})));
    add("duplicate-export-name", m, std::nullopt, false, "duplicate export name \"f\"");
  }
  add("export-index-out-of-range", WithSection(h + types, 7, Vec({ExportEntry("f", 0, 3)})),
      std::nullopt, false, "refers to function 3, out of range");
  add("bad-export-kind", WithSection(h, 7, Vec({ExportEntry("f", 9, 0)})), std::nullopt, false,
      "has invalid kind 9");
  add("memory-min-above-max", WithSection(h, 5, Bytes{0x01, 0x01, 0x05, 0x02}), std::nullopt, false,
      "maximum is below the minimum");
  {
    Bytes mem{0x01, 0x00};
    Append(mem, Leb(70000));
    add("memory-too-large", WithSection(h, 5, mem), std::nullopt, false, "at most 65536 pages");
  }
  add("bad-limits-flags", WithSection(h, 5, Bytes{0x01, 0x10, 0x01}), std::nullopt, false,
      "invalid limits flags");
  add("section-size-mismatch", WithSection(h, 1, Bytes{0x00, 0x00}), std::nullopt, false,
      "bytes left over");
  add("start-out-of-range", WithSection(h + types, 8, Leb(4)), std::nullopt, false,
      "start function index 4 is out of range");
  {
    Bytes name = Leb(1);
    name.push_back(0xff);
    add("custom-name-not-utf8", WithSection(h, 0, name), std::nullopt, false,
        "custom section name is not valid UTF-8");
  }
  // --- well-formed, wrong ABI ---
  {
    ModuleSpec s = WasiReactor();
    s.imports.push_back({"env", "socket_open"});
    s.function_exports = {{"_initialize", 2}};
    add("wasi-forbidden-import", Build(s), Abi::kWasi, true,
        "import \"env.socket_open\" is from a module outside the allowed list");
  }
  {
    ModuleSpec s = WasiReactor();
    s.function_exports = {{"run", 1}};
    add("wasi-no-entry-point", Build(s), Abi::kWasi, true,
        "exports neither _start nor _initialize");
  }
  {
    ModuleSpec s = WasiReactor();
    s.export_memory = false;
    add("wasi-no-memory-export", Build(s), Abi::kWasi, true, "does not export its memory");
  }
  add("proxy-wasm-sample-as-wasi", Build(ProxyWasm()), Abi::kWasi, true,
      "exports neither _start nor _initialize");
  add("wasi-sample-as-proxy-wasm", Build(WasiReactor()), Abi::kProxyWasm, true,
      "exports neither proxy_abi_version_0_2_0 nor proxy_abi_version_0_2_1");
  {
    ModuleSpec s = ProxyWasm();
    s.function_exports = {{"proxy_abi_version_0_2_1", 1}};
    add("proxy-wasm-no-allocator", Build(s), Abi::kProxyWasm, true, "exports no allocator");
  }
  {
    ModuleSpec s = ProxyWasm();
    s.imports.push_back({"env", "fetch"});
    s.function_exports = {{"proxy_abi_version_0_2_0", 2}, {"malloc", 3}};
    add("proxy-wasm-forbidden-import", Build(s), Abi::kProxyWasm, true,
        "import \"env.fetch\" is neither env.proxy_* nor wasi_snapshot_preview1");
  }
  {
    ModuleSpec s = ProxyWasm();
    s.export_memory = false;
    add("proxy-wasm-no-memory-export", Build(s), Abi::kProxyWasm, true,
        "does not export its memory");
  }
  add("wrong-sha256", Build(WasiReactor()), Abi::kWasi, true, "sha256 mismatch");
  c.back().expected_sha256 = std::string(64, '0');
  {
    Bytes big = Name("padding");
    big.resize(8 * 1024 * 1024, 0);
    add("oversized", WithSection(h, 0, big), std::nullopt, true,
        "exceeds the size limit of 8388608 bytes");
  }
  return c;
}

}  // namespace limen::wasm::testing
