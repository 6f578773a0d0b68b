#include "cursor.h"

#include <gtest/gtest.h>

#include <vector>

namespace limen::wasm {
namespace {

std::optional<uint64_t> Leb(std::vector<uint8_t> bytes, unsigned bits,
                            std::string* error = nullptr) {
  Cursor c(bytes, 0);
  auto v = c.Uleb(bits, "value");
  if (error && c.error()) *error = *c.error();
  return v;
}

TEST(CursorTest, Leb128Limits) {
  EXPECT_EQ(Leb({0x00}, 32), 0u);
  EXPECT_EQ(Leb({0xe5, 0x8e, 0x26}, 32), 624485u);
  EXPECT_EQ(Leb({0xff, 0xff, 0xff, 0xff, 0x0f}, 32), 0xffffffffu);
  std::string error;
  EXPECT_FALSE(Leb({0xff, 0xff, 0xff, 0xff, 0x1f}, 32, &error));
  EXPECT_NE(error.find("unused bits set"), std::string::npos);
  EXPECT_FALSE(Leb({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32, &error));
  EXPECT_NE(error.find("longer than 5 bytes"), std::string::npos);
  EXPECT_EQ(Leb({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 64), UINT64_MAX);
  EXPECT_FALSE(Leb({0x80}, 32, &error));
  EXPECT_NE(error.find("unexpected end"), std::string::npos);
}

TEST(CursorTest, FirstErrorWinsAndStopsReading) {
  std::vector<uint8_t> bytes{0x05, 'a'};
  Cursor c(bytes, 100);
  EXPECT_FALSE(c.Name("name"));
  EXPECT_EQ(c.error_offset(), 101u);
  EXPECT_FALSE(c.Byte("next"));
  EXPECT_NE(c.error()->find("need 5 bytes, 1 left"), std::string::npos);
}

TEST(CursorTest, CountIsBoundedByRemainingBytes) {
  std::vector<uint8_t> bytes{0xff, 0xff, 0x03};
  Cursor c(bytes, 0);
  EXPECT_FALSE(c.Count("type count"));
  EXPECT_NE(c.error()->find("exceeds the section's 0 remaining bytes"), std::string::npos);
}

}  // namespace
}  // namespace limen::wasm
