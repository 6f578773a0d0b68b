#include "filtered_reader.h"

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace limen::kube::internal {

bool AlwaysKept(const std::vector<std::string_view>& path, std::string_view key) {
  if (path.empty()) return key == "apiVersion" || key == "kind" || key == "metadata";
  if (path.size() == 1 && path[0] == "metadata") {
    return key == "name" || key == "namespace" || key == "uid" || key == "resourceVersion" ||
           key == "deletionTimestamp";
  }
  return false;
}

namespace {

bool IsWs(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The index of the first byte of the 8 in `w` (in memory order) that ends a plain run of a
// string — '"', '\\', a control character or a non-ASCII byte — or 8. The bit tricks are
// exact for the lowest such byte (a borrow only corrupts the bytes above it).
int FirstSpecial(uint64_t w) {
  constexpr uint64_t k01 = 0x0101010101010101ULL;
  constexpr uint64_t k80 = 0x8080808080808080ULL;
  auto zero_byte = [&](uint64_t v) { return (v - k01) & ~v & k80; };
  const uint64_t special = zero_byte(w ^ (k01 * '"')) | zero_byte(w ^ (k01 * '\\')) |
                           ((w - k01 * 0x20) & ~w & k80) | (w & k80);
  if (special == 0) return 8;
  if constexpr (std::endian::native == std::endian::little) return std::countr_zero(special) / 8;
  return std::countl_zero(special) / 8;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at p (the caller checked that they are there) → 0..0xFFFF, or -1.
int32_t Hex4(const char* p) {
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const int h = HexValue(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The contents of a string that ScanString validated, escapes decoded.
std::string Unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    const char c = raw[++i];
    switch (c) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        auto cp = static_cast<uint32_t>(Hex4(raw.data() + i + 1));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: "\uDCxx" follows
          const auto low = static_cast<uint32_t>(Hex4(raw.data() + i + 3));
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(out, cp);
        break;
      }
      default: out += c;  // '"', '\\', '/'
    }
  }
  return out;
}

class Reader {
 public:
  Reader(std::string_view in, const FieldFilter* filter,
         const std::vector<std::string>& object_path)
      : p_(in.data()), end_(in.data() + in.size()), filter_(filter), object_path_(object_path) {}

  bool Document(Object& out) {
    if (p_ != end_ && static_cast<unsigned char>(*p_) == 0xEF) return Unsupported();  // a BOM
    SkipWs();
    if (!Value(&out, 0)) return false;
    SkipWs();
    // nlohmann's lexer takes a NUL byte between tokens for the end of the input (and
    // ignores what follows).
    if (p_ != end_ && *p_ == '\0') return Unsupported();
    return p_ == end_;
  }

  bool unsupported() const { return unsupported_; }

 private:
  static constexpr size_t kNone = SIZE_MAX;

  bool Unsupported() {
    unsupported_ = true;
    return false;
  }

  void SkipWs() {
    while (p_ != end_ && IsWs(*p_)) ++p_;
  }

  bool Consume(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A value at p_, built into *out, or validated and skipped when out is null.
  bool Value(Object* out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return ObjectValue(out, depth + 1);
      case '[': return ArrayValue(out, depth + 1);
      case '"': {
        std::string_view raw;
        bool escaped = false;
        if (!ScanString(&raw, &escaped)) return false;
        if (out != nullptr) *out = escaped ? Unescape(raw) : std::string(raw);
        return true;
      }
      case 't': return Literal("true", out, Object(true));
      case 'f': return Literal("false", out, Object(false));
      case 'n': return Literal("null", out, Object(nullptr));
      default: return Number(out);
    }
  }

  bool Literal(std::string_view word, Object* out, Object value) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    if (out != nullptr) *out = std::move(value);
    return true;
  }

  bool ObjectValue(Object* out, int depth) {
    if (depth > kMaxDepth) return Unsupported();
    ++p_;  // '{'
    Object::object_t* members = nullptr;
    if (out != nullptr) {
      *out = Object::object();
      members = &out->get_ref<Object::object_t&>();
    }
    SkipWs();
    if (Consume('}')) return true;
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      bool escaped = false;
      if (!ScanString(&key, &escaped)) return false;
      SkipWs();
      if (!Consume(':')) return false;
      SkipWs();
      Object* slot = nullptr;
      std::string unescaped;  // outlives the member's value: path_ may point into it
      bool named = false;
      if (members != nullptr) {
        if (escaped) key = unescaped = Unescape(key);
        if (Keep(key)) {
          slot = &(*members)[std::string(key)];  // a repeated key: the last one wins
          named = Push(key);
        }
      }
      const bool ok = Value(slot, depth);
      if (named) Pop();
      if (!ok) return false;
      SkipWs();
      if (Consume('}')) return true;
      if (!Consume(',')) return false;
      SkipWs();
    }
  }

  bool ArrayValue(Object* out, int depth) {
    if (depth > kMaxDepth) return Unsupported();
    ++p_;  // '['
    Object::array_t* elements = nullptr;
    if (out != nullptr) {
      *out = Object::array();
      elements = &out->get_ref<Object::array_t&>();
    }
    SkipWs();
    if (Consume(']')) return true;
    for (;;) {
      Object* slot = nullptr;
      if (elements != nullptr) slot = &elements->emplace_back();
      if (!Value(slot, depth)) return false;
      SkipWs();
      if (Consume(']')) return true;
      if (!Consume(',')) return false;
      SkipWs();
    }
  }

  // A string at p_ (its opening quote): validated as nlohmann's lexer does (no control
  // characters, well-formed UTF-8, known escapes, paired surrogates); *raw is what is
  // between the quotes, and *escaped whether it has escapes to decode.
  bool ScanString(std::string_view* raw, bool* escaped) {
    const char* start = ++p_;
    for (;;) {
      while (end_ - p_ >= 8) {
        uint64_t w = 0;
        std::memcpy(&w, p_, 8);
        const int i = FirstSpecial(w);
        p_ += i;
        if (i < 8) break;
      }
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *raw = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') {
        *escaped = true;
        if (!Escape()) return false;
      } else if (c >= 0x80) {
        if (!Utf8()) return false;
      } else if (c < 0x20) {
        return false;
      } else {
        ++p_;  // a plain byte of the last few
      }
    }
  }

  // An escape at p_ (its backslash).
  bool Escape() {
    if (end_ - p_ < 2) return false;
    switch (p_[1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't': p_ += 2; return true;
      case 'u': break;
      default: return false;
    }
    if (end_ - p_ < 6) return false;
    const int32_t cp = Hex4(p_ + 2);
    p_ += 6;
    if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;  // a lone low surrogate
    if (cp < 0xD800 || cp > 0xDBFF) return true;
    // A high surrogate must be followed by a low one.
    if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;
    const int32_t low = Hex4(p_ + 2);
    p_ += 6;
    return low >= 0xDC00 && low <= 0xDFFF;
  }

  // A non-ASCII character at p_: one well-formed UTF-8 sequence (RFC 3629: no overlong
  // forms, no surrogates, nothing above U+10FFFF).
  bool Utf8() {
    const auto c = static_cast<unsigned char>(*p_);
    int n = 0;                      // continuation bytes
    unsigned lo = 0x80, hi = 0xBF;  // the range of the first continuation byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ <= n) return false;
    const auto* b = reinterpret_cast<const unsigned char*>(p_);
    if (b[1] < lo || b[1] > hi) return false;
    for (int i = 2; i <= n; ++i) {
      if (b[i] < 0x80 || b[i] > 0xBF) return false;
    }
    p_ += n + 1;
    return true;
  }

  // A number at p_, in JSON's grammar; built as nlohmann builds it: an integer without a
  // sign as unsigned, with one as signed, either as a double when it does not fit.
  bool Number(Object* out) {
    const char* start = p_;
    const char* q = p_;
    auto digits = [&] {
      const char* from = q;
      while (q != end_ && IsDigit(*q)) ++q;
      return q != from;
    };
    if (q != end_ && *q == '-') ++q;
    if (q == end_ || !IsDigit(*q)) return false;
    if (*q == '0') {
      ++q;
    } else {
      digits();
    }
    bool integer = true;
    if (q != end_ && *q == '.') {
      ++q;
      if (!digits()) return false;
      integer = false;
    }
    if (q != end_ && (*q == 'e' || *q == 'E')) {
      ++q;
      if (q != end_ && (*q == '+' || *q == '-')) ++q;
      if (!digits()) return false;
      integer = false;
    }
    p_ = q;
    // Converted even when skipped: nlohmann rejects a document with a float that overflows,
    // wherever it is.
    Object skipped;
    Object& value = out != nullptr ? *out : skipped;
    if (integer) {
      if (*start == '-') {
        int64_t v = 0;
        if (std::from_chars(start, q, v).ec == std::errc()) {
          value = v;
          return true;
        }
      } else {
        uint64_t v = 0;
        if (std::from_chars(start, q, v).ec == std::errc()) {
          value = v;
          return true;
        }
      }
    }
    // Out of range (overflow to infinity, which nlohmann rejects, or underflow, which it
    // rounds) is left to nlohmann.
    double d = 0;
    const auto r = std::from_chars(start, q, d);
    if (r.ec != std::errc() || r.ptr != q) return Unsupported();
    value = d;
    return true;
  }

  // Whether the member `key` of the object at path_ is kept.
  bool Keep(std::string_view key) const {
    if (filter_ == nullptr) return true;
    if (path_.size() < object_path_.size() || mismatch_ != kNone) return true;  // the envelope
    return Kept(filter_, rel_, key);
  }

  // Enters the value of the member `name`. Like the reference filter, a path names objects
  // by their keys only: array elements, and members named "", add nothing.
  bool Push(std::string_view name) {
    if (filter_ == nullptr || name.empty()) return false;
    const size_t i = path_.size();
    path_.push_back(name);
    if (mismatch_ == kNone) {
      if (i >= object_path_.size()) {
        rel_.push_back(name);
      } else if (name != object_path_[i]) {
        mismatch_ = i;
      }
    }
    return true;
  }

  void Pop() {
    const size_t i = path_.size() - 1;
    path_.pop_back();
    if (mismatch_ == i) {
      mismatch_ = kNone;
    } else if (mismatch_ == kNone && i >= object_path_.size()) {
      rel_.pop_back();
    }
  }

  const char* p_;
  const char* const end_;
  const FieldFilter* const filter_;
  const std::vector<std::string>& object_path_;
  bool unsupported_ = false;
  std::vector<std::string_view> path_;  // the keys from the root to the current object
  std::vector<std::string_view> rel_;   // path_ below object_path_, when path_ is under it
  size_t mismatch_ = kNone;             // the first index where path_ leaves object_path_
};

}  // namespace

ReadResult ReadFiltered(std::string_view json, const FieldFilter* filter,
                        const std::vector<std::string>& object_path) {
  ReadResult result;
  Reader reader(json, filter, object_path);
  if (reader.Document(result.value)) {
    result.status = ReadResult::kOk;
  } else {
    result.status = reader.unsupported() ? ReadResult::kUnsupported : ReadResult::kInvalid;
    result.value = Object();
  }
  return result;
}

}  // namespace limen::kube::internal
