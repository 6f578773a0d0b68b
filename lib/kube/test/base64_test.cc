#include "limen/kube/base64.h"

#include <gtest/gtest.h>

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
}  // namespace limen::kube
