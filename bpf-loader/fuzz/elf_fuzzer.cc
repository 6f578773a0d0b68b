// Fuzzes the ELF reader and the Go symbol reader (.symtab, .gopclntab, build info) with
// arbitrary bytes: the loader opens the executables of every traced process, and a
// container controls its own binaries. Nothing may crash, read out of bounds, or allocate
// in proportion to a count the file merely claims.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "limen/bpf/elf_file.h"
#include "limen/bpf/go_binary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace limen::bpf;
  auto elf = ElfFile::FromBytes(std::string(reinterpret_cast<const char*>(data), size));
  if (!elf.ok()) return 0;
  for (const auto& s : elf->sections()) {
    std::string_view bytes = elf->SectionData(s);
    if (!bytes.empty() && (bytes.data() < elf->data().data() ||
                           bytes.data() + bytes.size() > elf->data().data() + elf->data().size())) {
      std::abort();  // section data must lie inside the file
    }
  }
  (void)InspectGoBinary(*elf);
  auto pclntab = GoPclntab::Parse(*elf);
  for (const char* fn : {"runtime.newproc1", "runtime.goexit1", "runtime.gopark", "main.main"}) {
    auto addr = FindGoFunction(*elf, pclntab.ok() ? &*pclntab : nullptr, fn);
    if (addr.ok()) {
      (void)elf->FileOffsetOf(*addr);
      (void)elf->BytesAt(*addr, 16);
      if (pclntab.ok()) (void)pclntab->FunctionAt(*addr);
    }
    (void)elf->FindSymbol(fn);
  }
  return 0;
}
