#include "limen/wasm/module.h"

#include <cstdio>
#include <set>

#include "cursor.h"

namespace limen::wasm {
namespace {

constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};

enum SectionId : uint8_t {
  kCustom = 0,
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kStart = 8,
  kElement = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
  kTag = 13,
};

const char* SectionName(uint8_t id) {
  static const char* const kNames[] = {"custom", "type",   "import",    "function", "table",
                                       "memory", "global", "export",    "start",    "element",
                                       "code",   "data",   "datacount", "tag"};
  return id < sizeof(kNames) / sizeof(kNames[0]) ? kNames[id] : "unknown";
}

// Canonical order of non-custom sections (core spec 2.0 + the exception-handling tag).
int OrderOf(uint8_t id) {
  static const int kOrder[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return kOrder[id];
}

bool IsValueType(uint8_t t) {
  return t == 0x7f || t == 0x7e || t == 0x7d || t == 0x7c || t == 0x7b || t == 0x70 || t == 0x6f;
}

std::optional<Limits> ReadLimits(Cursor& c, bool is_memory) {
  auto flags = c.Byte("limits flags");
  if (!flags) return std::nullopt;
  const uint8_t max_flags = is_memory ? 0x07 : 0x01;
  if (*flags > max_flags) return c.Fail("invalid limits flags 0x" + std::to_string(*flags));
  Limits l;
  l.shared = (*flags & 0x02) != 0;
  l.memory64 = (*flags & 0x04) != 0;
  const unsigned bits = l.memory64 ? 64 : 32;
  auto min = c.Uleb(bits, "limits minimum");
  if (!min) return std::nullopt;
  l.min = *min;
  if (*flags & 0x01) {
    auto max = c.Uleb(bits, "limits maximum");
    if (!max) return std::nullopt;
    l.max = *max;
    if (*l.max < l.min) return c.Fail("limits maximum is below the minimum");
  }
  if (l.shared && !l.max) return c.Fail("shared memory must have a maximum");
  const uint64_t max_pages = l.memory64 ? (1ull << 48) : 65536;
  if (is_memory && (l.min > max_pages || (l.max && *l.max > max_pages))) {
    return c.Fail("memory size must be at most " + std::to_string(max_pages) + " pages (4 GiB)");
  }
  return l;
}

bool ReadTableType(Cursor& c) {
  auto ref = c.Byte("table element type");
  if (!ref) return false;
  if (*ref != 0x70 && *ref != 0x6f) {
    c.Fail("invalid table element type");
    return false;
  }
  return ReadLimits(c, false).has_value();
}

class SectionReader {
 public:
  SectionReader(Module& m, Cursor& c) : m_(m), c_(c) {}

  void Type() {
    auto n = c_.Count("type count");
    for (uint32_t i = 0; n && i < *n; ++i) {
      const size_t at = c_.offset();
      auto form = c_.Byte("type form");
      if (!form) return;
      if (*form != 0x60) {
        c_.FailAt(at, "type " + std::to_string(i) + " is not a function type (form 0x60)");
        return;
      }
      FuncType t;
      if (!ValueTypes(t.params, "parameter") || !ValueTypes(t.results, "result")) return;
      m_.types.push_back(std::move(t));
    }
  }

  void Import() {
    auto n = c_.Count("import count", 3);
    for (uint32_t i = 0; n && i < *n; ++i) {
      wasm::Import imp;
      auto module = c_.Name("import module name");
      auto name = module ? c_.Name("import field name") : std::nullopt;
      auto kind = name ? c_.Byte("import kind") : std::nullopt;
      if (!kind) return;
      imp.module = std::move(*module);
      imp.name = std::move(*name);
      if (!ImportDescription(imp, *kind)) return;
      m_.imports.push_back(std::move(imp));
    }
  }

  void Function() {
    auto n = c_.Count("function count");
    for (uint32_t i = 0; n && i < *n; ++i) {
      auto t = c_.U32("function type index");
      if (!t || !TypeInRange(*t)) return;
      m_.functions.push_back(*t);
    }
  }

  void Memory() {
    auto n = c_.Count("memory count", 2);
    for (uint32_t i = 0; n && i < *n; ++i) {
      auto l = ReadLimits(c_, true);
      if (!l) return;
      m_.memories.push_back(*l);
    }
  }

  void Export() {
    auto n = c_.Count("export count", 3);
    std::set<std::string> seen;
    for (uint32_t i = 0; n && i < *n; ++i) {
      auto name = c_.Name("export name");
      auto kind = name ? c_.Byte("export kind") : std::nullopt;
      auto index = kind ? c_.U32("export index") : std::nullopt;
      if (!index) return;
      if (*kind > 4) {
        c_.Fail("export \"" + *name + "\" has invalid kind " + std::to_string(*kind));
        return;
      }
      if (!seen.insert(*name).second) {
        c_.Fail("duplicate export name \"" + *name + "\"");
        return;
      }
      wasm::Export e{std::move(*name), static_cast<ExternalKind>(*kind), *index};
      if (!ExportIndexInRange(e)) return;
      m_.exports.push_back(std::move(e));
    }
  }

  void Start() {
    auto f = c_.U32("start function index");
    if (!f) return;
    if (*f >= m_.ImportedCount(ExternalKind::kFunction) + m_.functions.size()) {
      c_.Fail("start function index " + std::to_string(*f) + " is out of range");
      return;
    }
    m_.start = *f;
  }

  // Sections Limen does not decode entry by entry: read the count, skip the rest.
  void CountOnly(uint32_t& count, const char* what) {
    if (auto n = c_.U32(what)) count = *n;
    c_.Skip(c_.remaining());
  }

  void Code() {
    auto n = c_.Count("code count");
    if (!n) return;
    if (*n != m_.functions.size()) {
      c_.Fail("function and code section have inconsistent lengths: " +
              std::to_string(m_.functions.size()) + " functions, " + std::to_string(*n) +
              " bodies");
      return;
    }
    for (uint32_t i = 0; i < *n; ++i) {
      auto size = c_.U32("function body size");
      if (!size || !c_.Bytes(*size, "function body")) return;
    }
    m_.code_count = *n;
  }

 private:
  bool ValueTypes(std::vector<uint8_t>& out, const char* what) {
    auto n = c_.Count("value type count");
    for (uint32_t i = 0; n && i < *n; ++i) {
      const size_t at = c_.offset();
      auto t = c_.Byte("value type");
      if (!t) return false;
      if (!IsValueType(*t)) {
        c_.FailAt(at, std::string("invalid ") + what + " value type 0x" + Hex(*t));
        return false;
      }
      out.push_back(*t);
    }
    return n.has_value();
  }

  bool ImportDescription(wasm::Import& imp, uint8_t kind) {
    switch (kind) {
      case 0: {
        imp.kind = ExternalKind::kFunction;
        auto t = c_.U32("import function type index");
        if (!t || !TypeInRange(*t)) return false;
        imp.type_index = *t;
        return true;
      }
      case 1: imp.kind = ExternalKind::kTable; return ReadTableType(c_);
      case 2: imp.kind = ExternalKind::kMemory; return ReadLimits(c_, true).has_value();
      case 3: {
        imp.kind = ExternalKind::kGlobal;
        auto t = c_.Byte("global value type");
        auto mut = t ? c_.Byte("global mutability") : std::nullopt;
        if (!mut) return false;
        if (!IsValueType(*t) || *mut > 1) {
          c_.Fail("invalid imported global type");
          return false;
        }
        return true;
      }
      case 4: {
        imp.kind = ExternalKind::kTag;
        auto attr = c_.Byte("tag attribute");
        auto t = attr ? c_.U32("tag type index") : std::nullopt;
        return t && TypeInRange(*t);
      }
      default:
        c_.Fail("import \"" + imp.module + "." + imp.name + "\" has invalid kind " +
                std::to_string(kind));
        return false;
    }
  }

  bool TypeInRange(uint32_t t) {
    if (t < m_.types.size()) return true;
    c_.Fail("type index " + std::to_string(t) + " is out of range (" +
            std::to_string(m_.types.size()) + " types)");
    return false;
  }

  bool ExportIndexInRange(const wasm::Export& e) {
    uint64_t limit = m_.ImportedCount(e.kind);
    switch (e.kind) {
      case ExternalKind::kFunction: limit += m_.functions.size(); break;
      case ExternalKind::kTable: limit += m_.table_count; break;
      case ExternalKind::kMemory: limit += m_.memories.size(); break;
      case ExternalKind::kGlobal: limit += m_.global_count; break;
      case ExternalKind::kTag: limit += m_.tag_count; break;
    }
    if (e.index < limit) return true;
    c_.Fail("export \"" + e.name + "\" refers to " + ExternalKindName(e.kind) + " " +
            std::to_string(e.index) + ", out of range");
    return false;
  }

  static std::string Hex(uint8_t b) {
    char buf[4];
    std::snprintf(buf, sizeof(buf), "%02x", b);
    return buf;
  }

  Module& m_;
  Cursor& c_;
};

std::string HexOffset(size_t offset) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%zx", offset);
  return buf;
}

Status SectionError(const SectionInfo& s, const Cursor& c) {
  return Status::InvalidArgument("section " + s.name + " (id " + std::to_string(s.id) +
                                 ") at offset " + HexOffset(c.error_offset()) + ": " + *c.error());
}

// Decodes one section's content with a cursor limited to it, and checks it was consumed.
Status ReadSection(Module& m, SectionInfo& info, std::span<const uint8_t> content) {
  Cursor c(content, info.offset);
  SectionReader r(m, c);
  switch (info.id) {
    case kCustom: {
      auto name = c.Name("custom section name");
      if (name) info.name = "custom:" + *name;
      c.Skip(c.remaining());
      break;
    }
    case kType: r.Type(); break;
    case kImport: r.Import(); break;
    case kFunction: r.Function(); break;
    case kTable: r.CountOnly(m.table_count, "table count"); break;
    case kMemory: r.Memory(); break;
    case kGlobal: r.CountOnly(m.global_count, "global count"); break;
    case kExport: r.Export(); break;
    case kStart: r.Start(); break;
    case kElement: c.Skip(c.remaining()); break;
    case kCode: r.Code(); break;
    case kData: c.Skip(c.remaining()); break;
    case kDataCount: (void)c.U32("data count"); break;
    case kTag: r.CountOnly(m.tag_count, "tag count"); break;
  }
  if (c.error()) return SectionError(info, c);
  if (!c.done()) {
    return Status::InvalidArgument("section " + info.name + " (id " + std::to_string(info.id) +
                                   ") at offset " + HexOffset(c.offset()) + ": " +
                                   std::to_string(c.remaining()) +
                                   " bytes left over after its content (section size mismatch)");
  }
  return Status::Ok();
}

Status CheckHeader(Cursor& c) {
  auto magic = c.Bytes(4, "magic");
  if (!magic || !std::equal(magic->begin(), magic->end(), kMagic)) {
    return Status::InvalidArgument("offset 0x0: bad magic number (not a WebAssembly binary)");
  }
  auto version = c.Bytes(4, "version");
  if (!version || !std::equal(version->begin(), version->end(), kVersion)) {
    return Status::InvalidArgument(
        "offset 0x4: unsupported version (only version 1 core modules; components are not "
        "supported)");
  }
  return Status::Ok();
}

}  // namespace

const char* ExternalKindName(ExternalKind kind) {
  switch (kind) {
    case ExternalKind::kFunction: return "function";
    case ExternalKind::kTable: return "table";
    case ExternalKind::kMemory: return "memory";
    case ExternalKind::kGlobal: return "global";
    case ExternalKind::kTag: return "tag";
  }
  return "unknown";
}

uint32_t Module::ImportedCount(ExternalKind kind) const {
  uint32_t n = 0;
  for (const auto& i : imports) n += i.kind == kind ? 1 : 0;
  return n;
}

const Export* Module::FindExport(std::string_view name) const {
  for (const auto& e : exports) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

StatusOr<Module> ReadModule(std::span<const uint8_t> bytes, const ReadOptions& options) {
  if (bytes.size() > options.max_size) {
    return Status::InvalidArgument("module of " + std::to_string(bytes.size()) +
                                   " bytes exceeds the size limit of " +
                                   std::to_string(options.max_size) + " bytes");
  }
  Cursor c(bytes, 0);
  LIMEN_RETURN_IF_ERROR(CheckHeader(c));
  Module m;
  int last_order = 0;
  while (!c.done()) {
    const size_t header_offset = c.offset();
    auto id = c.Byte("section id");
    auto size = id ? c.U32("section size") : std::nullopt;
    if (!size) {
      return Status::InvalidArgument("offset " + HexOffset(c.error_offset()) + ": " + *c.error());
    }
    if (*id > kTag) {
      return Status::InvalidArgument("offset " + HexOffset(header_offset) +
                                     ": unknown section id " + std::to_string(*id));
    }
    SectionInfo info{*id, SectionName(*id), c.offset(), *size};
    if (*id != kCustom) {
      if (OrderOf(*id) <= last_order) {
        return Status::InvalidArgument("section " + info.name + " (id " + std::to_string(*id) +
                                       ") at offset " + HexOffset(header_offset) +
                                       ": out of order or duplicate section");
      }
      last_order = OrderOf(*id);
    }
    auto content = c.Bytes(*size, "section content");
    if (!content) {
      return Status::InvalidArgument("section " + info.name + " (id " + std::to_string(*id) +
                                     ") at offset " + HexOffset(header_offset) + ": size " +
                                     std::to_string(*size) + " runs past the end of the module");
    }
    LIMEN_RETURN_IF_ERROR(ReadSection(m, info, *content));
    m.sections.push_back(std::move(info));
  }
  if (!m.functions.empty() && m.code_count == 0) {
    return Status::InvalidArgument("function and code section have inconsistent lengths: " +
                                   std::to_string(m.functions.size()) +
                                   " functions, no code section");
  }
  return m;
}

}  // namespace limen::wasm
