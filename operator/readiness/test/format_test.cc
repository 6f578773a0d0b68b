#include "format.h"

#include <gtest/gtest.h>

namespace limen::readiness {
namespace {

TEST(FormatTest, OneDecimalRoundedHalfUp) {
  EXPECT_EQ(FormatMillis(8'234'567), "8.2ms");
  EXPECT_EQ(FormatMillis(12'000'000), "12.0ms");
  EXPECT_EQ(FormatMillis(11'950'000), "12.0ms");
  EXPECT_EQ(FormatMegabytes(2'912'345), "2.9M");
  EXPECT_EQ(FormatMegabytes(3'200'000), "3.2M");
  EXPECT_EQ(FormatBasisPoints(9523), "95.2%");
  EXPECT_EQ(FormatBasisPoints(10000), "100.0%");
}

}  // namespace
}  // namespace limen::readiness
