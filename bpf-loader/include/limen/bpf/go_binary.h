// Go binaries: detection, the toolchain version, and function lookup that survives
// stripping. `go build -ldflags "-s -w"` removes .symtab and DWARF, but the runtime needs
// its own function table (.gopclntab, the pcHeader/functab of runtime/symtab.go) for
// tracebacks, so it is always there; it maps function names to entry PCs.
//
// Supported: the Go 1.18+ table layouts (magic 0xfffffff0 and 0xfffffff1) and the 1.18+
// inline .go.buildinfo version string; older binaries are reported Unimplemented (they
// predate the register ABI that the go.* probes read anyway).
//
// Thread-safety: immutable after construction; const methods are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"
#include "limen/bpf/elf_file.h"

namespace limen::bpf {

// A parsed .gopclntab: function names and entry PCs, sorted by PC.
class GoPclntab {
 public:
  static StatusOr<GoPclntab> Parse(const ElfFile& elf);

  std::optional<uint64_t> FindFunction(std::string_view name) const;
  // The name of the function containing `pc`, or "" outside the text.
  std::string_view FunctionAt(uint64_t pc) const;
  size_t size() const { return funcs_.size(); }

 private:
  struct Func {
    uint64_t entry;
    std::string name;
  };
  std::vector<Func> funcs_;  // sorted by entry
  uint64_t end_ = 0;         // end of the last function
};

struct GoBinaryInfo {
  std::string version;    // "go1.26.8", or "" when the build info is unreadable
  bool stripped = false;  // no .symtab: lookups come from .gopclntab
};

// nullopt for a non-Go ELF (no .go.buildinfo / .gopclntab / Go build ID note).
std::optional<GoBinaryInfo> InspectGoBinary(const ElfFile& elf);

// The entry address of a Go function: .symtab when present, else .gopclntab.
StatusOr<uint64_t> FindGoFunction(const ElfFile& elf, const GoPclntab* pclntab,
                                  std::string_view name);

// Where in a Go function (amd64) to place its uprobe: the offset of the `push rbp` that
// follows the function's stack-growth check, or 0 when `code` (the function's first bytes;
// 16 are enough) does not start with that check.
//
// Why: a uprobe traps on the probed instruction, runs the BPF program, then executes the
// instruction. The kernel emulates a few instructions (push of a register, jumps, calls),
// but must single-step any other out of line, which takes a second trap; in a VM that trap
// (#DB) exits to the hypervisor. Go starts nearly every function with the check
// `cmp rsp, [r14+0x10]; jbe morestack` (after `lea r12, [rsp-n]` in a large frame), which is
// single-stepped, then `push rbp`, which is emulated. The registers are still the
// arguments there (the check writes the flags and r12 only, neither an argument of Go's
// register ABI), and a call that grows its stack restarts at the entry, so the `push` runs
// once per call, as the entry does.
uint64_t GoUprobeOffset(std::string_view code);

// The bit mask of the runtime's channel wait reasons (waitReasonChanReceive, ...Send,
// ...Select and their nil/durable forms) of a Go release, by value (runtime2.go); nullopt
// for a release whose table Limen does not know.
std::optional<uint64_t> GoChanWaitReasonMask(std::string_view go_version);

}  // namespace limen::bpf
