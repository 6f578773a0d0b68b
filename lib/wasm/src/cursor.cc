#include "cursor.h"

namespace limen::wasm {

std::nullopt_t Cursor::FailAt(size_t absolute_offset, std::string reason) {
  if (!error_) {
    error_ = std::move(reason);
    error_offset_ = absolute_offset;
  }
  pos_ = bytes_.size();  // stop all further reads
  return std::nullopt;
}

std::optional<uint8_t> Cursor::Byte(const char* what) {
  if (error_) return std::nullopt;
  if (remaining() < 1) return Fail(std::string("unexpected end reading ") + what);
  return bytes_[pos_++];
}

std::optional<std::span<const uint8_t>> Cursor::Bytes(size_t n, const char* what) {
  if (error_) return std::nullopt;
  if (remaining() < n) {
    return Fail(std::string("unexpected end reading ") + what + ": need " + std::to_string(n) +
                " bytes, " + std::to_string(remaining()) + " left");
  }
  auto out = bytes_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::optional<uint64_t> Cursor::Uleb(unsigned bits, const char* what) {
  if (error_) return std::nullopt;
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t value = 0;
  for (unsigned i = 0; i < max_bytes; ++i) {
    if (remaining() < 1) return Fail(std::string("unexpected end in LEB128 ") + what);
    const uint8_t b = bytes_[pos_++];
    value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i == max_bytes - 1) {
        const unsigned used = bits - 7 * i;  // bits of this byte that belong to the value
        if (used < 7 && (b >> used) != 0) {
          return Fail(std::string("LEB128 ") + what + " has unused bits set (integer too large)");
        }
      }
      return value;
    }
  }
  return Fail(std::string("LEB128 ") + what + " is longer than " + std::to_string(max_bytes) +
              " bytes (integer representation too long)");
}

std::optional<uint32_t> Cursor::Count(const char* what, size_t min_element_size) {
  auto n = U32(what);
  if (!n) return std::nullopt;
  if (static_cast<uint64_t>(*n) * min_element_size > remaining()) {
    return Fail(std::string(what) + " of " + std::to_string(*n) + " exceeds the section's " +
                std::to_string(remaining()) + " remaining bytes");
  }
  return n;
}

std::optional<std::string> Cursor::Name(const char* what) {
  auto len = U32(what);
  if (!len) return std::nullopt;
  auto bytes = Bytes(*len, what);
  if (!bytes) return std::nullopt;
  if (!IsValidUtf8(*bytes)) return Fail(std::string(what) + " is not valid UTF-8");
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace limen::wasm
