#include "limen/bpf/go_binary.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace limen::bpf {
namespace {

template <typename T>
std::optional<T> ReadAt(std::string_view data, uint64_t off) {
  if (off > data.size() || data.size() - off < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, data.data() + off, sizeof(T));
  return v;
}

std::optional<uint64_t> ReadWord(std::string_view data, uint64_t off, uint8_t ptr_size) {
  if (ptr_size == 8) return ReadAt<uint64_t>(data, off);
  auto v = ReadAt<uint32_t>(data, off);
  return v ? std::optional<uint64_t>(*v) : std::nullopt;
}

std::string_view CString(std::string_view table, uint64_t off) {
  if (off >= table.size()) return {};
  std::string_view rest = table.substr(off);
  size_t end = rest.find('\0');
  return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

constexpr uint32_t kMagicGo118 = 0xfffffff0;
constexpr uint32_t kMagicGo120 = 0xfffffff1;
constexpr uint32_t kMaxFuncs = 4u << 20;  // a sanity bound; real binaries have < 1e6

// Unsigned LEB128 as written by encoding/binary.PutUvarint.
std::optional<uint64_t> Uvarint(std::string_view data, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && pos < data.size(); shift += 7) {
    auto b = static_cast<uint8_t>(data[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<GoPclntab> GoPclntab::Parse(const ElfFile& elf) {
  const ElfSection* sec = elf.FindSection(".gopclntab");
  if (!sec) return Status::NotFound("no .gopclntab section");
  std::string_view tab = elf.SectionData(*sec);
  auto magic = ReadAt<uint32_t>(tab, 0);
  if (!magic) return Status::InvalidArgument(".gopclntab truncated");
  if (*magic != kMagicGo118 && *magic != kMagicGo120) {
    return Status::Unimplemented(".gopclntab magic " + std::to_string(*magic) +
                                 " (Go < 1.18) is not supported");
  }
  // pcHeader: magic u32, pad u8 x2, minLC u8, ptrSize u8, then words: nfunc, nfiles,
  // textStart, funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset.
  auto ptr_size = ReadAt<uint8_t>(tab, 7);
  if (!ptr_size || (*ptr_size != 4 && *ptr_size != 8)) {
    return Status::InvalidArgument(".gopclntab: bad pointer size");
  }
  auto word = [&](int i) {
    return ReadWord(tab, 8 + static_cast<uint64_t>(i) * *ptr_size, *ptr_size);
  };
  auto nfunc = word(0), text_start = word(2), funcname_off = word(3), pcln_off = word(7);
  if (!nfunc || !text_start || !funcname_off || !pcln_off || *nfunc > kMaxFuncs) {
    return Status::InvalidArgument(".gopclntab: bad header");
  }
  if (*funcname_off > tab.size() || *pcln_off > tab.size()) {
    return Status::InvalidArgument(".gopclntab: header offsets out of range");
  }
  uint64_t text = *text_start;
  if (text == 0) {
    // PIE: textStart is filled by a dynamic relocation; moduledata.text is .text's start.
    if (const ElfSection* t = elf.FindSection(".text")) text = t->addr;
  }
  std::string_view funcnames = tab.substr(*funcname_off);
  std::string_view pcln = tab.substr(*pcln_off);
  // Each function has an 8-byte functab entry: a count the section cannot hold is corrupt
  // (and must not size an allocation — found by the fuzzer).
  if (*nfunc > pcln.size() / 8) return Status::InvalidArgument(".gopclntab: functab truncated");
  GoPclntab out;
  out.funcs_.reserve(*nfunc);
  // functab: nfunc+1 pairs {entryoff u32, funcoff u32}; _func starts {entryOff u32, nameOff i32}.
  for (uint64_t i = 0; i < *nfunc; ++i) {
    auto entry_off = ReadAt<uint32_t>(pcln, i * 8);
    auto func_off = ReadAt<uint32_t>(pcln, i * 8 + 4);
    if (!entry_off || !func_off) return Status::InvalidArgument(".gopclntab: functab truncated");
    auto name_off = ReadAt<int32_t>(pcln, static_cast<uint64_t>(*func_off) + 4);
    if (!name_off || *name_off < 0) return Status::InvalidArgument(".gopclntab: _func truncated");
    out.funcs_.push_back(
        {text + *entry_off, std::string(CString(funcnames, static_cast<uint64_t>(*name_off)))});
  }
  if (auto end_off = ReadAt<uint32_t>(pcln, *nfunc * 8)) out.end_ = text + *end_off;
  std::sort(out.funcs_.begin(), out.funcs_.end(),
            [](const Func& a, const Func& b) { return a.entry < b.entry; });
  return out;
}

std::optional<uint64_t> GoPclntab::FindFunction(std::string_view name) const {
  for (const auto& f : funcs_) {
    if (f.name == name) return f.entry;
  }
  return std::nullopt;
}

std::string_view GoPclntab::FunctionAt(uint64_t pc) const {
  if (funcs_.empty() || pc < funcs_.front().entry || pc >= end_) return {};
  auto it = std::upper_bound(funcs_.begin(), funcs_.end(), pc,
                             [](uint64_t v, const Func& f) { return v < f.entry; });
  return std::prev(it)->name;
}

std::optional<GoBinaryInfo> InspectGoBinary(const ElfFile& elf) {
  const ElfSection* bi = elf.FindSection(".go.buildinfo");
  if (!bi && !elf.FindSection(".gopclntab") && !elf.FindSection(".note.go.buildid")) {
    return std::nullopt;
  }
  GoBinaryInfo info;
  info.stripped = !elf.has_symtab();
  if (bi) {
    // "\xff Go buildinf:" (14 bytes), ptrSize, flags; flags&2: inline varint strings at 32.
    std::string_view data = elf.SectionData(*bi);
    if (data.size() >= 32 && data.substr(0, 14) == "\xff Go buildinf:" &&
        (static_cast<uint8_t>(data[15]) & 2)) {
      size_t pos = 32;
      auto len = Uvarint(data, pos);
      if (len && *len <= data.size() - pos) info.version = std::string(data.substr(pos, *len));
    }
  }
  return info;
}

StatusOr<uint64_t> FindGoFunction(const ElfFile& elf, const GoPclntab* pclntab,
                                  std::string_view name) {
  if (auto sym = elf.FindSymbol(name)) return sym->value;
  if (pclntab) {
    if (auto entry = pclntab->FindFunction(name)) return *entry;
  }
  return Status::NotFound(std::string(name) + " not found in .symtab or .gopclntab");
}

uint64_t GoUprobeOffset(std::string_view code) {
  constexpr int kAny = -1;
  // Whether `code` holds `bytes` at `at` (kAny matches any byte).
  auto match = [code](size_t at, std::initializer_list<int> bytes) {
    if (at + bytes.size() > code.size()) return false;
    for (const int b : bytes) {
      if (b != kAny && static_cast<uint8_t>(code[at]) != b) return false;
      ++at;
    }
    return true;
  };
  size_t at = 0;
  int cmp_rex = 0x49;                              // cmp rsp, [r14+0x10]
  if (match(0, {0x4c, 0x8d, 0x64, 0x24, kAny})) {  // lea r12, [rsp+disp8]
    at = 5;
    cmp_rex = 0x4d;                                                         // cmp r12, [r14+0x10]
  } else if (match(0, {0x4c, 0x8d, 0xa4, 0x24, kAny, kAny, kAny, kAny})) {  // disp32
    at = 8;
    cmp_rex = 0x4d;
  }
  if (!match(at, {cmp_rex, 0x3b, 0x66, 0x10})) return 0;
  at += 4;
  if (match(at, {0x76, kAny})) {  // jbe rel8
    at += 2;
  } else if (match(at, {0x0f, 0x86, kAny, kAny, kAny, kAny})) {  // jbe rel32
    at += 6;
  } else {
    return 0;
  }
  return match(at, {0x55}) ? at : 0;  // push rbp
}

std::optional<uint64_t> GoChanWaitReasonMask(std::string_view go_version) {
  // Values from src/runtime/runtime2.go of each release, verified one release at a time
  // (the enum gains members in the middle, e.g. waitReasonUpdateGOMAXPROCSIdle).
  auto bits = [](std::initializer_list<int> values) {
    uint64_t mask = 0;
    for (int v : values) mask |= 1ull << v;
    return mask;
  };
  auto starts = [&](std::string_view p) { return go_version.substr(0, p.size()) == p; };
  // ChanReceiveNilChan, ChanSendNilChan, Select, ChanReceive, ChanSend; durable forms.
  if (starts("go1.26")) return bits({16, 17, 19, 20, 21, 43, 44, 45});
  return std::nullopt;
}

}  // namespace limen::bpf
