// Cursor: bounds-checked reading of WebAssembly binary primitives (bytes, LEB128, names,
// vectors) from untrusted input. Every failure is reported as an offset and a reason, never
// as an out-of-bounds read. Internal to lib/wasm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "limen/base/utf8.h"

namespace limen::wasm {

class Cursor {
 public:
  Cursor(std::span<const uint8_t> bytes, size_t base_offset) : bytes_(bytes), base_(base_offset) {}

  size_t offset() const { return base_ + pos_; }  // absolute offset in the module
  size_t remaining() const { return bytes_.size() - pos_; }
  bool done() const { return pos_ == bytes_.size(); }
  // The first error; once set, every further read fails.
  const std::optional<std::string>& error() const { return error_; }
  size_t error_offset() const { return error_offset_; }

  std::optional<uint8_t> Byte(const char* what);
  std::optional<std::span<const uint8_t>> Bytes(size_t n, const char* what);
  // Unsigned LEB128 of at most `bits` bits (32 or 64): at most ceil(bits/7) bytes, and the
  // unused high bits of the last byte must be zero.
  std::optional<uint64_t> Uleb(unsigned bits, const char* what);
  std::optional<uint32_t> U32(const char* what) {
    auto v = Uleb(32, what);
    return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
  }
  // A vector length, checked against the bytes left (each element takes ≥ min_element_size).
  std::optional<uint32_t> Count(const char* what, size_t min_element_size = 1);
  // A length-prefixed UTF-8 name.
  std::optional<std::string> Name(const char* what);
  void Skip(size_t n) { pos_ += n <= remaining() ? n : remaining(); }

  // Records an error at the current offset (the first one wins) and returns nullopt.
  std::nullopt_t Fail(std::string reason) { return FailAt(offset(), std::move(reason)); }
  // The same, at an earlier absolute offset — the start of the offending item.
  std::nullopt_t FailAt(size_t absolute_offset, std::string reason);

 private:
  std::span<const uint8_t> bytes_;
  size_t base_;
  size_t pos_ = 0;
  std::optional<std::string> error_;
  size_t error_offset_ = 0;
};

}  // namespace limen::wasm
