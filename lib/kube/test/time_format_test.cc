#include "limen/kube/time_format.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

TEST(TimeFormatTest, MicroTimeRoundTrips) {
  auto t = ParseTime("2026-11-26T08:00:00.000000Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatMicroTime(*t), "2026-11-26T08:00:00.000000Z");
  EXPECT_EQ(FormatTime(*t), "2026-11-26T08:00:00Z");
  auto u = ParseTime("2026-11-26T08:00:01.5Z");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(FormatMicroTime(*u), "2026-11-26T08:00:01.500000Z");
  EXPECT_EQ(*u - *t, std::chrono::milliseconds(1500));
}

TEST(TimeFormatTest, RejectsMalformed) {
  EXPECT_FALSE(ParseTime("2026-11-26 08:00:00Z"));
  EXPECT_FALSE(ParseTime("2026-11-26T08:00:00+01:00"));
  EXPECT_FALSE(ParseTime("2026-13-26T08:00:00Z"));
  EXPECT_FALSE(ParseTime("2026-11-26T08:00:00."));
}

}  // namespace
}  // namespace limen::kube
