#include "limen/api/time.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

int64_t Unix(Time t) { return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count(); }

TEST(TimeTest, ParsesRfc3339) {
  EXPECT_EQ(Unix(*ParseTime("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(Unix(*ParseTime("2024-05-01T10:00:00Z")), 1714557600);
  EXPECT_EQ(Unix(*ParseTime("2024-05-01T12:00:00+02:00")), 1714557600);
  EXPECT_EQ(Unix(*ParseTime("2024-05-01t08:30:00-01:30")), 1714557600);
  EXPECT_EQ(Unix(*ParseTime("2024-02-29T00:00:00z")), 1709164800);
  const Time frac = *ParseTime("2024-05-01T10:00:00.25Z");
  EXPECT_EQ((frac - *ParseTime("2024-05-01T10:00:00Z")), nanoseconds(250'000'000));
  const Time fine = *ParseTime("2024-05-01T10:00:00.1234567899Z");  // beyond ns: truncated
  EXPECT_EQ((fine - *ParseTime("2024-05-01T10:00:00Z")), nanoseconds(123'456'789));
}

TEST(TimeTest, RejectsMalformed) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "want a date YYYY-MM-DD"},
      {"2024-5-01T10:00:00Z", "want a date YYYY-MM-DD"},
      {"2024-05-01 10:00:00Z", "want 'T' after the date"},
      {"2024-05-01T10:00Z", "want a time hh:mm:ss"},
      {"2023-02-29T00:00:00Z", "no such date"},
      {"2024-13-01T00:00:00Z", "no such date"},
      {"2024-05-01T24:00:00Z", "time of day out of range"},
      {"2024-05-01T10:00:60Z", "time of day out of range"},
      {"2024-05-01T10:00:00", "want a zone 'Z' or +hh:mm"},
      {"2024-05-01T10:00:00.Z", "want digits after '.'"},
      {"2024-05-01T10:00:00+0200", "want a zone offset +hh:mm"},
      {"2024-05-01T10:00:00Zjunk", "unexpected text after the zone"},
      {"9999-01-01T00:00:00Z", "year out of range 1678..2261"},
  };
  for (const auto& [text, why] : cases) {
    const auto t = ParseTime(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().message(), "invalid RFC 3339 time \"" + std::string(text) + "\": " + why);
  }
}

TEST(TimeTest, FormatsLikeGoRfc3339Nano) {
  for (const char* text :
       {"2024-05-01T10:00:00Z", "1970-01-01T00:00:00Z", "2024-05-01T10:00:00.25Z",
        "1969-12-31T23:59:59.999999999Z", "1678-01-01T00:00:00Z", "2261-12-31T23:59:59Z"}) {
    const auto t = ParseTime(text);
    ASSERT_TRUE(t.ok()) << text << t.status().ToString();
    EXPECT_EQ(FormatTime(*t), text);
  }
  EXPECT_EQ(FormatTime(*ParseTime("2024-05-01T12:00:00+02:00")), "2024-05-01T10:00:00Z");
}

TEST(TimeTest, TruncatesToSeconds) {
  const Time t = *ParseTime("1969-12-31T23:59:59.5Z");
  EXPECT_EQ(FormatTime(TruncateToSeconds(t)), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace limen::api
