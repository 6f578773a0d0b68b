// A tiny WebAssembly binary writer for tests and the corpus generator: sections are built
// byte by byte, so malformed modules can be made as easily as valid ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace limen::wasm::testing {

using Bytes = std::vector<uint8_t>;

inline void Append(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }

inline Bytes Leb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out.push_back(b);
  } while (v != 0);
  return out;
}

inline Bytes Name(const std::string& s) {
  Bytes out = Leb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline Bytes Header() { return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}; }

inline Bytes Section(uint8_t id, const Bytes& content) {
  Bytes out{id};
  Append(out, Leb(content.size()));
  Append(out, content);
  return out;
}

// Content of a vector section from already-encoded entries.
inline Bytes Vec(const std::vector<Bytes>& entries) {
  Bytes out = Leb(entries.size());
  for (const auto& e : entries) Append(out, e);
  return out;
}

inline Bytes FuncType(const Bytes& params, const Bytes& results) {
  Bytes out{0x60};
  Append(out, Leb(params.size()));
  Append(out, params);
  Append(out, Leb(results.size()));
  Append(out, results);
  return out;
}

inline Bytes ImportFunc(const std::string& module, const std::string& name, uint32_t type) {
  Bytes out = Name(module);
  Append(out, Name(name));
  out.push_back(0x00);
  Append(out, Leb(type));
  return out;
}

inline Bytes ExportEntry(const std::string& name, uint8_t kind, uint32_t index) {
  Bytes out = Name(name);
  out.push_back(kind);
  Append(out, Leb(index));
  return out;
}

inline Bytes Memory(uint32_t min) { return Vec({Bytes{0x00, static_cast<uint8_t>(min)}}); }

// A function body: no locals, then `instrs`, then end.
inline Bytes Body(const Bytes& instrs = {}) {
  Bytes inner{0x00};
  Append(inner, instrs);
  inner.push_back(0x0b);
  Bytes out = Leb(inner.size());
  Append(out, inner);
  return out;
}

// Module spec: types 0 = ()->(), 1 = (i32)->i32; `imports` are functions of type 0;
// defined functions are listed by type index with matching bodies.
struct ModuleSpec {
  std::vector<std::pair<std::string, std::string>> imports;
  std::vector<uint32_t> functions;  // type index per defined function
  bool memory = true;
  std::vector<std::pair<std::string, uint32_t>> function_exports;  // name → function index
  bool export_memory = true;
};

inline Bytes Build(const ModuleSpec& s) {
  Bytes m = Header();
  Append(m, Section(1, Vec({FuncType({}, {}), FuncType({0x7f}, {0x7f})})));
  if (!s.imports.empty()) {
    std::vector<Bytes> imports;
    for (const auto& [mod, name] : s.imports) imports.push_back(ImportFunc(mod, name, 0));
    Append(m, Section(2, Vec(imports)));
  }
  if (!s.functions.empty()) {
    std::vector<Bytes> funcs;
    for (uint32_t t : s.functions) funcs.push_back(Leb(t));
    Append(m, Section(3, Vec(funcs)));
  }
  if (s.memory) Append(m, Section(5, Memory(1)));
  std::vector<Bytes> exports;
  for (const auto& [name, index] : s.function_exports)
    exports.push_back(ExportEntry(name, 0, index));
  if (s.memory && s.export_memory) exports.push_back(ExportEntry("memory", 2, 0));
  if (!exports.empty()) Append(m, Section(7, Vec(exports)));
  if (!s.functions.empty()) {
    std::vector<Bytes> bodies;
    for (uint32_t t : s.functions) bodies.push_back(t == 1 ? Body({0x41, 0x00}) : Body());
    Append(m, Section(10, Vec(bodies)));
  }
  return m;
}

// A minimal wasi reactor: imports fd_write-like function, exports _initialize and memory.
inline ModuleSpec WasiReactor() {
  ModuleSpec s;
  s.imports = {{"wasi_snapshot_preview1", "proc_exit"}};
  s.functions = {0};
  s.function_exports = {{"_initialize", 1}};
  return s;
}

// A minimal proxy-wasm filter.
inline ModuleSpec ProxyWasm() {
  ModuleSpec s;
  s.imports = {{"env", "proxy_log"}};
  s.functions = {0, 1};
  s.function_exports = {{"proxy_abi_version_0_2_1", 1}, {"proxy_on_memory_allocate", 2}};
  return s;
}

}  // namespace limen::wasm::testing
