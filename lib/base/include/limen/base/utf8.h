// UTF-8 validation, for decoders of untrusted bytes (WASM names, protobuf strings) that
// must hand on only valid text. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace limen {

// Whether `bytes` is well-formed UTF-8: no overlong encodings, surrogates, code points past
// U+10FFFF or truncated sequences.
bool IsValidUtf8(std::span<const uint8_t> bytes);
inline bool IsValidUtf8(std::string_view text) {
  return IsValidUtf8({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace limen
