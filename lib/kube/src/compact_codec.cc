#include "compact_codec.h"

#include <cstring>
#include <stdexcept>

namespace limen::kube::compact {
namespace {

enum Tag : uint8_t {
  kNull,
  kFalse,
  kTrue,
  kInt,
  kUint,
  kFloat,
  kString,
  kBinary,
  kArray,
  kObject,
};

void PutVarint(uint64_t v, std::vector<uint8_t>& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

void PutBytes(const void* data, size_t n, std::vector<uint8_t>& out) {
  const auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + n);
}

void PutString(std::string_view s, std::vector<uint8_t>& out) {
  PutVarint(s.size(), out);
  PutBytes(s.data(), s.size(), out);
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size, const KeyTable& keys)
      : p_(data), end_(data + size), keys_(keys) {}

  Object Value() {
    switch (Byte()) {
      case kNull: return nullptr;
      case kFalse: return false;
      case kTrue: return true;
      case kInt: {
        uint64_t z = Varint();
        return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));  // zigzag
      }
      case kUint: return Varint();
      case kFloat: {
        double d = 0;
        std::memcpy(&d, Take(sizeof d), sizeof d);
        return d;
      }
      case kString: return String();
      case kBinary: return Binary();
      case kArray: {
        Object out = Object::array();
        auto& items = out.get_ref<Object::array_t&>();
        const uint64_t n = Varint();
        items.reserve(n);
        for (uint64_t i = 0; i < n; ++i) items.push_back(Value());
        return out;
      }
      case kObject: {
        Object out = Object::object();
        auto& members = out.get_ref<Object::object_t&>();
        const uint64_t n = Varint();
        for (uint64_t i = 0; i < n; ++i) {
          std::string key = Key();
          members.emplace_hint(members.end(), std::move(key), Value());
        }
        return out;
      }
      default: throw std::runtime_error("compact: bad tag");
    }
  }

  bool AtEnd() const { return p_ == end_; }

 private:
  const uint8_t* Take(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) throw std::runtime_error("compact: truncated");
    const uint8_t* at = p_;
    p_ += n;
    return at;
  }
  uint8_t Byte() { return *Take(1); }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = Byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    throw std::runtime_error("compact: bad varint");
  }
  std::string String() {
    const uint64_t n = Varint();
    const auto* s = reinterpret_cast<const char*>(Take(n));
    return {s, n};
  }
  std::string Key() {
    const uint64_t v = Varint();
    if (v & 1) return keys_.Key(v >> 1);
    const auto* s = reinterpret_cast<const char*>(Take(v >> 1));
    return {s, v >> 1};
  }
  Object Binary() {
    const uint64_t n = Varint();
    const uint8_t* b = Take(n);
    Object::binary_t bin(std::vector<uint8_t>(b, b + n));
    if (Byte() != 0) {
      uint64_t subtype = 0;
      std::memcpy(&subtype, Take(sizeof subtype), sizeof subtype);
      bin.set_subtype(subtype);
    }
    return Object::binary(std::move(bin));
  }

  const uint8_t* p_;
  const uint8_t* const end_;
  const KeyTable& keys_;
};

}  // namespace

int64_t KeyTable::Intern(std::string_view key) {
  if (key.size() > kMaxKeyLength) return -1;
  if (auto it = ids_.find(std::string(key)); it != ids_.end()) return it->second;
  if (size_ == kChunkSize * kChunks) return -1;
  auto& chunk = chunks_[size_ / kChunkSize];
  if (!chunk) chunk = std::make_unique<std::string[]>(kChunkSize);
  chunk[size_ % kChunkSize] = std::string(key);
  ids_.emplace(key, static_cast<uint32_t>(size_));
  return static_cast<int64_t>(size_++);
}

void Encode(const Object& obj, KeyTable& keys, std::vector<uint8_t>& out) {
  using V = Object::value_t;
  switch (obj.type()) {
    case V::null:
    case V::discarded: out.push_back(kNull); return;
    case V::boolean: out.push_back(obj.get<bool>() ? kTrue : kFalse); return;
    case V::number_integer: {
      const auto i = obj.get<int64_t>();
      out.push_back(kInt);
      PutVarint((static_cast<uint64_t>(i) << 1) ^ static_cast<uint64_t>(i >> 63), out);
      return;
    }
    case V::number_unsigned:
      out.push_back(kUint);
      PutVarint(obj.get<uint64_t>(), out);
      return;
    case V::number_float: {
      const auto d = obj.get<double>();
      out.push_back(kFloat);
      PutBytes(&d, sizeof d, out);
      return;
    }
    case V::string:
      out.push_back(kString);
      PutString(obj.get_ref<const std::string&>(), out);
      return;
    case V::binary: {
      const auto& bin = obj.get_binary();
      out.push_back(kBinary);
      PutVarint(bin.size(), out);
      PutBytes(bin.data(), bin.size(), out);
      out.push_back(bin.has_subtype() ? 1 : 0);
      if (bin.has_subtype()) {
        const uint64_t subtype = bin.subtype();
        PutBytes(&subtype, sizeof subtype, out);
      }
      return;
    }
    case V::array:
      out.push_back(kArray);
      PutVarint(obj.size(), out);
      for (const auto& v : obj) Encode(v, keys, out);
      return;
    case V::object:
      out.push_back(kObject);
      PutVarint(obj.size(), out);
      for (const auto& [k, v] : obj.items()) {
        if (const int64_t id = keys.Intern(k); id >= 0) {
          PutVarint((static_cast<uint64_t>(id) << 1) | 1, out);
        } else {
          PutVarint(static_cast<uint64_t>(k.size()) << 1, out);
          PutBytes(k.data(), k.size(), out);
        }
        Encode(v, keys, out);
      }
      return;
  }
}

Object Decode(const uint8_t* data, size_t size, const KeyTable& keys) {
  Reader r(data, size, keys);
  Object out = r.Value();
  if (!r.AtEnd()) throw std::runtime_error("compact: trailing bytes");
  return out;
}

}  // namespace limen::kube::compact
