#include "limen/base/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace limen {
namespace {

TEST(Utf8Test, RejectsOverlongSurrogatesAndTruncation) {
  auto ok = [](std::vector<uint8_t> b) { return IsValidUtf8(b); };
  EXPECT_TRUE(ok({'a', 0xc2, 0xb5, 0xe2, 0x86, 0x92, 0xf0, 0x9f, 0x98, 0x80}));
  EXPECT_FALSE(ok({0xc0, 0xaf}));              // overlong '/'
  EXPECT_FALSE(ok({0xed, 0xa0, 0x80}));        // surrogate
  EXPECT_FALSE(ok({0xe2, 0x86}));              // truncated
  EXPECT_FALSE(ok({0xf4, 0x90, 0x80, 0x80}));  // > U+10FFFF
}

TEST(Utf8Test, StringViewOverload) {
  EXPECT_TRUE(IsValidUtf8(std::string_view("limen.dev/\xc2\xb5")));
  EXPECT_FALSE(IsValidUtf8(std::string_view("\xff")));
}

}  // namespace
}  // namespace limen
