// ProtoReader: the protobuf wire format, read from a byte span with every length checked.
// Just what decoding Kubernetes objects needs: varints, tags, length-delimited fields and
// skipping any field by its wire type. A private header of lib/kube.
//
// Thread-safety: none; a reader is a cursor over bytes it does not own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace limen::kube::internal::proto {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

struct Tag {
  uint32_t field = 0;
  WireType type = WireType::kVarint;
};

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }
  size_t left() const { return static_cast<size_t>(end_ - p_); }

  // nullopt when the bytes end inside the varint or it is longer than ten bytes.
  std::optional<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const auto b = static_cast<uint8_t>(*p_++);
      v |= uint64_t{b & 0x7fU} << shift;
      if ((b & 0x80U) == 0) return v;
    }
    return std::nullopt;
  }

  // nullopt on a truncated tag, field number 0 or beyond 2^29 − 1, or the deprecated group
  // wire types (3, 4) and the undefined ones (6, 7).
  std::optional<Tag> NextTag() {
    const auto v = Varint();
    if (!v || *v > 0xffffffffU) return std::nullopt;
    const auto type = static_cast<uint8_t>(*v & 7U);
    const auto field = static_cast<uint32_t>(*v >> 3);
    if (field == 0 || (type != 0 && type != 1 && type != 2 && type != 5)) return std::nullopt;
    return Tag{field, static_cast<WireType>(type)};
  }

  // The bytes of a length-delimited field; nullopt if they run past the end.
  std::optional<std::string_view> Bytes() {
    const auto n = Varint();
    if (!n || *n > left()) return std::nullopt;
    std::string_view out(p_, static_cast<size_t>(*n));
    p_ += *n;
    return out;
  }

  // Skips the value of a field of wire type `t`; false if it runs past the end.
  bool Skip(WireType t) {
    switch (t) {
      case WireType::kVarint: return Varint().has_value();
      case WireType::kLen: return Bytes().has_value();
      case WireType::kFixed64: return Advance(8);
      case WireType::kFixed32: return Advance(4);
    }
    return false;
  }

 private:
  bool Advance(size_t n) {
    if (n > left()) return false;
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
};

// The envelope of every protobuf body the apiserver sends: the magic, then a runtime.Unknown
// whose raw field holds the object (a List, a Status).
inline constexpr std::string_view kMagic("k8s\0", 4);
inline constexpr uint32_t kUnknownTypeMeta = 1;
inline constexpr uint32_t kUnknownRaw = 2;
inline constexpr uint32_t kUnknownContentEncoding = 3;

// The raw object of a whole body; nullopt if it is not a well-formed envelope.
inline std::optional<std::string_view> UnknownRaw(std::string_view body) {
  if (!body.starts_with(kMagic)) return std::nullopt;
  ProtoReader r(body.substr(kMagic.size()));
  while (!r.done()) {
    const auto tag = r.NextTag();
    if (!tag) return std::nullopt;
    if (tag->field == kUnknownRaw && tag->type == WireType::kLen) return r.Bytes();
    if (!r.Skip(tag->type)) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace limen::kube::internal::proto
