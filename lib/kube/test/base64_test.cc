#include "limen/kube/base64.h"

#include <gtest/gtest.h>

#include <vector>

namespace limen::kube {
namespace {

TEST(Base64Test, DecodesWithAndWithoutPaddingAndWrapping) {
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Decode("aGVsbG8"), "hello");
  EXPECT_EQ(Base64Decode("aGVs\nbG8g\r\nd29y bGQ="), "hello world");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("/+8="), std::string("\xff\xef"));
}

TEST(Base64Test, RejectsGarbage) {
  EXPECT_FALSE(Base64Decode("aGV$bG8="));
  EXPECT_FALSE(Base64Decode("a"));
  EXPECT_FALSE(Base64Decode("aG==Vs"));
}

}  // namespace
TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)).value_or("<nullopt>"), s);
  }
  EXPECT_EQ(Base64Decode("aGVs\nbG8=").value_or(""), "hello");
  EXPECT_FALSE(Base64Decode("a$=="));
  EXPECT_FALSE(Base64Decode("aGVsbG8=x"));
  EXPECT_FALSE(Base64Decode("a"));
}

}  // namespace limen::kube
