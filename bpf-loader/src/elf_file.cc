#include "limen/bpf/elf_file.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace limen::bpf {
namespace {

// Copies a T from data[off..] if it fits.
template <typename T>
std::optional<T> ReadAt(std::string_view data, uint64_t off) {
  if (off > data.size() || data.size() - off < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, data.data() + off, sizeof(T));
  return v;
}

std::string_view CString(std::string_view table, uint64_t off) {
  if (off >= table.size()) return {};
  std::string_view rest = table.substr(off);
  size_t end = rest.find('\0');
  return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

class Mapping {
 public:
  Mapping(void* addr, size_t len) : addr_(addr), len_(len) {}
  ~Mapping() { munmap(addr_, len_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

 private:
  void* addr_;
  size_t len_;
};

}  // namespace

StatusOr<ElfFile> ElfFile::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound(path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    return Status::InvalidArgument(path + ": not a regular non-empty file");
  }
  size_t len = static_cast<size_t>(st.st_size);
  void* addr = mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (addr == MAP_FAILED) return Status::Unavailable(path + ": mmap: " + std::strerror(err));
  ElfFile f;
  f.storage_ = std::make_shared<Mapping>(addr, len);
  f.data_ = std::string_view(static_cast<const char*>(addr), len);
  Status s = f.Parse();
  if (!s.ok()) return s.WithContext(path);
  return f;
}

StatusOr<ElfFile> ElfFile::FromBytes(std::string bytes) {
  auto owned = std::make_shared<std::string>(std::move(bytes));
  ElfFile f;
  f.data_ = *owned;
  f.storage_ = std::move(owned);
  LIMEN_RETURN_IF_ERROR(f.Parse());
  return f;
}

Status ElfFile::Parse() {
  auto eh = ReadAt<Elf64_Ehdr>(data_, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
    return Status::InvalidArgument("not an ELF file");
  }
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB) {
    return Status::InvalidArgument("not a 64-bit little-endian ELF file");
  }
  for (uint64_t i = 0; i < eh->e_phnum; ++i) {
    auto ph = ReadAt<Elf64_Phdr>(data_, eh->e_phoff + i * sizeof(Elf64_Phdr));
    if (!ph) return Status::InvalidArgument("program header " + std::to_string(i) + " truncated");
    if (ph->p_type == PT_LOAD) loads_.push_back({ph->p_vaddr, ph->p_offset, ph->p_filesz});
  }
  std::vector<Elf64_Shdr> shdrs;
  for (uint64_t i = 0; i < eh->e_shnum; ++i) {
    auto sh = ReadAt<Elf64_Shdr>(data_, eh->e_shoff + i * sizeof(Elf64_Shdr));
    if (!sh) return Status::InvalidArgument("section header " + std::to_string(i) + " truncated");
    shdrs.push_back(*sh);
  }
  std::string_view shstr;
  if (eh->e_shstrndx < shdrs.size()) {
    const auto& s = shdrs[eh->e_shstrndx];
    if (s.sh_offset <= data_.size() && data_.size() - s.sh_offset >= s.sh_size) {
      shstr = data_.substr(s.sh_offset, s.sh_size);
    }
  }
  for (const auto& s : shdrs) {
    sections_.push_back(
        {std::string(CString(shstr, s.sh_name)), s.sh_type, s.sh_addr, s.sh_offset, s.sh_size});
  }
  return Status::Ok();
}

const ElfSection* ElfFile::FindSection(std::string_view name) const {
  for (const auto& s : sections_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string_view ElfFile::SectionData(const ElfSection& s) const {
  if (s.type == SHT_NOBITS || s.offset > data_.size() || data_.size() - s.offset < s.size) {
    return {};
  }
  return data_.substr(s.offset, s.size);
}

std::optional<ElfSymbol> ElfFile::FindSymbol(std::string_view name) const {
  for (const char* table : {".symtab", ".dynsym"}) {
    const ElfSection* sym = FindSection(table);
    if (!sym) continue;
    std::string_view syms = SectionData(*sym);
    std::string_view strs;
    // sh_link of the symbol table names its string table; re-read the raw header for it.
    auto eh = ReadAt<Elf64_Ehdr>(data_, 0);
    size_t index = static_cast<size_t>(sym - sections_.data());
    auto sh = ReadAt<Elf64_Shdr>(data_, eh->e_shoff + index * sizeof(Elf64_Shdr));
    if (sh && sh->sh_link < sections_.size()) strs = SectionData(sections_[sh->sh_link]);
    for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= syms.size(); off += sizeof(Elf64_Sym)) {
      auto s = ReadAt<Elf64_Sym>(syms, off);
      if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_value == 0) continue;
      if (CString(strs, s->st_name) == name) return ElfSymbol{s->st_value, s->st_size};
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> ElfFile::FileOffsetOf(uint64_t vaddr) const {
  for (const auto& l : loads_) {
    if (vaddr >= l.vaddr && vaddr - l.vaddr < l.filesz) return vaddr - l.vaddr + l.offset;
  }
  return std::nullopt;
}

std::string_view ElfFile::BytesAt(uint64_t vaddr, uint64_t len) const {
  for (const auto& l : loads_) {
    if (vaddr >= l.vaddr && vaddr - l.vaddr < l.filesz) {
      uint64_t off = vaddr - l.vaddr + l.offset;
      if (off >= data_.size()) return {};
      uint64_t avail = std::min<uint64_t>(l.filesz - (vaddr - l.vaddr), data_.size() - off);
      return data_.substr(off, std::min(len, avail));
    }
  }
  return {};
}

}  // namespace limen::bpf
