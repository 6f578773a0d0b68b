// Module: what Limen reads from a WebAssembly binary (core spec 2.0 binary format), and
// ReadModule, the bounded reader that produces it from untrusted bytes.
//
// The reader decodes the module header and the sections Limen's checks need — type, import,
// function, table/global/tag counts, memory, export, start, data count, and the code
// section's entry sizes — and verifies the structure of all of them: magic and version,
// known section ids in canonical order, each section's size against its content,
// LEB128 encodings (length and unused bits), UTF-8 names, index bounds, limits, and that the
// function and code counts agree. It does not decode instructions inside function bodies
// (that is what `wasm-tools validate` adds beyond this).
//
// Every error names the section and byte offset where decoding stopped.
// Thread-safety: pure functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "limen/base/status.h"

namespace limen::wasm {

enum class ExternalKind : uint8_t { kFunction = 0, kTable = 1, kMemory = 2, kGlobal = 3, kTag = 4 };
const char* ExternalKindName(ExternalKind kind);

struct FuncType {
  std::vector<uint8_t> params;  // value type bytes (0x7f i32, 0x7e i64, ...)
  std::vector<uint8_t> results;
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;
  bool memory64 = false;
};

struct Import {
  std::string module;
  std::string name;
  ExternalKind kind = ExternalKind::kFunction;
  uint32_t type_index = 0;  // for functions and tags
};

struct Export {
  std::string name;
  ExternalKind kind = ExternalKind::kFunction;
  uint32_t index = 0;
};

struct SectionInfo {
  uint8_t id = 0;
  std::string name;   // "type", "import", ... or "custom:<name>"
  size_t offset = 0;  // of the section's content
  size_t size = 0;
};

struct Module {
  std::vector<SectionInfo> sections;
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<uint32_t> functions;  // type index of each defined function
  std::vector<Limits> memories;     // defined memories
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  uint32_t table_count = 0;   // defined
  uint32_t global_count = 0;  // defined
  uint32_t tag_count = 0;     // defined
  uint32_t code_count = 0;

  uint32_t ImportedCount(ExternalKind kind) const;
  const Export* FindExport(std::string_view name) const;
};

struct ReadOptions {
  size_t max_size = size_t{8} * 1024 * 1024;  // larger modules are rejected before decoding
};

// Decodes `bytes`. An error is InvalidArgument with a message such as
// "section import (id 2) at offset 0x1f: import module name is not valid UTF-8".
StatusOr<Module> ReadModule(std::span<const uint8_t> bytes, const ReadOptions& options = {});

}  // namespace limen::wasm
