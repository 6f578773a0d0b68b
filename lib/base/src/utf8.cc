#include "limen/base/utf8.h"

#include <cstddef>

namespace limen {

bool IsValidUtf8(std::span<const uint8_t> s) {
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      n = 2, cp = c & 0x1f;
    } else if ((c >> 4) == 0xe) {
      n = 3, cp = c & 0x0f;
    } else if ((c >> 3) == 0x1e) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((s[i + k] >> 6) != 0x2) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    // Overlong encodings, surrogates and code points past U+10FFFF are invalid.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace limen
