// ElfFile: a bounds-checked, read-only view of a 64-bit little-endian ELF executable —
// sections, PT_LOAD segments and the .symtab/.dynsym symbols — enough to place uprobes.
//
// Binaries come from containers, i.e. from untrusted users: every offset is checked, and a
// truncated or malformed file is an InvalidArgument, never a crash. Open() maps the file
// (MAP_PRIVATE, read-only) rather than reading it, so a 100 MB binary costs no heap.
//
// Thread-safety: immutable after construction; const methods are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"

namespace limen::bpf {

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct ElfSymbol {
  uint64_t value = 0;  // virtual address
  uint64_t size = 0;
};

class ElfFile {
 public:
  static StatusOr<ElfFile> Open(const std::string& path);
  // Parses bytes held in memory (tests, fuzzing).
  static StatusOr<ElfFile> FromBytes(std::string bytes);

  const std::vector<ElfSection>& sections() const { return sections_; }
  const ElfSection* FindSection(std::string_view name) const;
  // The section's bytes; empty for SHT_NOBITS or out-of-file ranges.
  std::string_view SectionData(const ElfSection& s) const;

  // A function symbol from .symtab (or .dynsym); nullopt when absent or stripped.
  std::optional<ElfSymbol> FindSymbol(std::string_view name) const;
  bool has_symtab() const { return FindSection(".symtab") != nullptr; }

  // The file offset of a virtual address (what a uprobe is attached at).
  std::optional<uint64_t> FileOffsetOf(uint64_t vaddr) const;

  // The bytes at a virtual address inside a loaded segment, up to `len`.
  std::string_view BytesAt(uint64_t vaddr, uint64_t len) const;

  std::string_view data() const { return data_; }

 private:
  struct Segment {
    uint64_t vaddr, offset, filesz;
  };
  Status Parse();

  std::shared_ptr<const void> storage_;  // the mapping or the owned bytes
  std::string_view data_;
  std::vector<ElfSection> sections_;
  std::vector<Segment> loads_;
};

}  // namespace limen::bpf
