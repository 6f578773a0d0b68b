#include "limen/api/duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

namespace limen::api {
namespace {

using std::chrono::nanoseconds;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;

struct ParseCase {
  const char* text;
  int64_t nanos;
};

TEST(ParseDurationTest, AcceptsGoSyntax) {
  const ParseCase cases[] = {
      {"0", 0},
      {"-0", 0},
      {"+0", 0},
      {"0s", 0},
      {"2160h", 2160 * kHour},
      {"1h30m", 90 * 60 * kSecond},
      {"3s", 3 * kSecond},
      {"250ms", 250'000'000},
      {"1.5h", 5400 * kSecond},
      {"10us", 10'000},
      {"10\xC2\xB5s", 10'000},  // micro sign
      {"10\xCE\xBCs", 10'000},  // greek mu
      {"7ns", 7},
      {"-3s", -3 * kSecond},
      {"+3s", 3 * kSecond},
      {"1h2m3.004005006s", kHour + 2 * 60 * kSecond + 3 * kSecond + 4'005'006},
      {".5s", kSecond / 2},
      {"5.s", 5 * kSecond},
      {"1.0000000001s", kSecond},  // below a nanosecond: truncated, as Go
      {"100.00000000000000000001s", 100 * kSecond},
      {"0.3333333333333333333h", 1'200'000'000'000},  // float64 arithmetic, as Go
      {"9223372036854775807ns", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808ns", std::numeric_limits<int64_t>::min()},
      {"2562047h47m16.854775807s", std::numeric_limits<int64_t>::max()},
  };
  for (const auto& c : cases) {
    const auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().ToString();
    EXPECT_EQ(d->count(), c.nanos) << c.text;
  }
}

struct ErrorCase {
  const char* text;
  const char* message;
};

TEST(ParseDurationTest, RejectsWithPreciseErrors) {
  const ErrorCase cases[] = {
      {"", "invalid duration \"\": empty"},
      {"-", "invalid duration \"-\": empty"},
      {"1", "invalid duration \"1\": missing unit (valid units: ns, us, µs, ms, s, m, h)"},
      {"5d", "invalid duration \"5d\": unknown unit \"d\" (valid units: ns, us, µs, ms, s, m, h)"},
      {"1H", "invalid duration \"1H\": unknown unit \"H\" (valid units: ns, us, µs, ms, s, m, h)"},
      {"h", "invalid duration \"h\": expected a number at \"h\""},
      {".s", "invalid duration \".s\": expected digits around '.'"},
      {"1h-1m",
       "invalid duration \"1h-1m\": unknown unit \"h-\" (valid units: ns, us, µs, ms, s, m, h)"},
      {"9223372036854775808ns", "invalid duration \"9223372036854775808ns\": overflows"},
      {"2562048h", "invalid duration \"2562048h\": overflows"},
      {"99999999999999999999s", "invalid duration \"99999999999999999999s\": overflows"},
      {"3s ",
       "invalid duration \"3s \": unknown unit \"s \" (valid units: ns, us, µs, ms, s, m, h)"},
  };
  for (const auto& c : cases) {
    const auto d = ParseDuration(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().message(), c.message) << c.text;
  }
}

struct FormatCase {
  int64_t nanos;
  const char* text;
};

TEST(FormatDurationTest, MatchesGoString) {
  const FormatCase cases[] = {
      {0, "0s"},
      {1, "1ns"},
      {1'100, "1.1\xC2\xB5s"},
      {2'200'000, "2.2ms"},
      {250'000'000, "250ms"},
      {3 * kSecond, "3s"},
      {3 * kSecond + 1, "3.000000001s"},
      {90 * 60 * kSecond, "1h30m0s"},
      {2160 * kHour, "2160h0m0s"},
      {-3 * kSecond, "-3s"},
      {-1, "-1ns"},
      {61 * kSecond, "1m1s"},
      {std::numeric_limits<int64_t>::max(), "2562047h47m16.854775807s"},
      {std::numeric_limits<int64_t>::min(), "-2562047h47m16.854775808s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatDuration(nanoseconds(c.nanos)), c.text) << c.nanos;
  }
}

TEST(FormatDurationTest, RoundTripsThroughParse) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1'001}, int64_t{123'456'789},
                    2160 * kHour, -kHour - 1, std::numeric_limits<int64_t>::min()}) {
    const auto back = ParseDuration(FormatDuration(nanoseconds(n)));
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(back->count(), n);
  }
}

}  // namespace
}  // namespace limen::api
