#include "limen/api/quantity.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace limen::api {
namespace {

struct ValueCase {
  const char* text;
  int64_t value;
};

TEST(QuantityTest, ParsesExactValues) {
  const ValueCase cases[] = {
      {"0", 0},
      {"3.2M", 3'200'000},
      {"128Mi", 134'217'728},
      {"4Mi", 4'194'304},
      {"1.5Ki", 1'536},
      {"1k", 1'000},
      {"1e3", 1'000},
      {"1E3", 1'000},
      {"1e+3", 1'000},
      {"12e-1", 2},  // 1.2 rounds up
      {"1.", 1},
      {".5", 1},
      {"1.G", 1'000'000'000},
      {"0.1Ki", 103},  // 102.4 rounds up
      {"500m", 1},
      {"1000m", 1},
      {"2000m", 2},
      {"5n", 1},
      {"12u", 1},
      {"+1k", 1'000},
      {"-1.5", -2},  // away from zero, as resource.Quantity.Value()
      {"-0", 0},
      {"007", 7},
      {"1.000000000000000000000000000001", 2},
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
      {"7Ei", int64_t{7} << 60},
      {"1e18", 1'000'000'000'000'000'000},
      {"1e-1000000000", 1},
      {"0.000000000000000000000000000000000000000000000001Ei", 1},
  };
  for (const auto& c : cases) {
    const auto q = ParseQuantity(c.text);
    ASSERT_TRUE(q.ok()) << c.text << ": " << q.status().ToString();
    const auto v = q->Value();
    ASSERT_TRUE(v.ok()) << c.text << ": " << v.status().ToString();
    EXPECT_EQ(*v, c.value) << c.text;
    EXPECT_EQ(q->text, c.text);
  }
}

TEST(QuantityTest, KeepsNormalisedDigitsAndFormat) {
  const auto q = ParseQuantity("003.200M");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->digits, "32");
  EXPECT_EQ(q->exp10, 5);
  EXPECT_EQ(q->format, Quantity::Format::kDecimalSI);
  EXPECT_EQ(ParseQuantity("1Gi")->format, Quantity::Format::kBinarySI);
  EXPECT_EQ(ParseQuantity("1e9")->format, Quantity::Format::kDecimalExponent);
  EXPECT_TRUE(ParseQuantity("0.000")->IsZero());
  EXPECT_FALSE(ParseQuantity("-0")->negative);
}

TEST(QuantityTest, ReportsOverflow) {
  for (const char* text : {"8Ei", "9223372036854775808", "1e19", "10E", "1e99999999", "-8Ei"}) {
    const auto q = ParseQuantity(text);
    ASSERT_TRUE(q.ok()) << text;
    const auto v = q->Value();
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().message(), "quantity \"" + std::string(text) + "\" does not fit in int64");
  }
}

struct ErrorCase {
  const char* text;
  const char* message;
};

TEST(QuantityTest, RejectsWithPreciseErrors) {
  const char* const kValid = "valid: n u m k M G T P E Ki Mi Gi Ti Pi Ei or e<exponent>";
  const ErrorCase cases[] = {
      {"", "empty"},
      {"-", "expected a number at the start (digits, optionally with '.' and a sign)"},
      {".", "expected a number at the start (digits, optionally with '.' and a sign)"},
      {"M", "expected a number at the start (digits, optionally with '.' and a sign)"},
      {"3.2X", "unknown suffix \"X\" ("},
      {"1K", "unknown suffix \"K\" ("},
      {"1ki", "unknown suffix \"ki\" ("},
      {"1 k", "unknown suffix \" k\" ("},
      {"1.2.3", "unknown suffix \".3\" ("},
      {"1e", "exponent \"e\" has no digits"},
      {"1e+", "exponent \"e+\" has no digits"},
      {"1e3x", "unknown suffix \"e3x\" ("},
      {"1e99999999999", "exponent out of range"},
      {"--1", "expected a number at the start (digits, optionally with '.' and a sign)"},
  };
  for (const auto& c : cases) {
    const auto q = ParseQuantity(c.text);
    ASSERT_FALSE(q.ok()) << c.text;
    std::string want = "invalid quantity \"" + std::string(c.text) + "\": " + c.message;
    if (want.back() == '(') want += std::string(kValid) + ")";
    EXPECT_EQ(q.status().message(), want) << c.text;
  }
}

TEST(QuantityTest, FormatsCanonically) {
  EXPECT_EQ(FormatDecimalSI(0), "0");
  EXPECT_EQ(FormatDecimalSI(3'200'000), "3200k");
  EXPECT_EQ(FormatDecimalSI(1'000), "1k");
  EXPECT_EQ(FormatDecimalSI(1'500), "1500");
  EXPECT_EQ(FormatDecimalSI(2'000'000'000), "2G");
  EXPECT_EQ(FormatDecimalSI(-5'000), "-5k");
  EXPECT_EQ(FormatDecimalSI(1'000'000'000'000'000'000), "1E");
  EXPECT_EQ(FormatBinarySI(1'048'576), "1Mi");
  EXPECT_EQ(FormatBinarySI(1'536), "1536");
  EXPECT_EQ(FormatBinarySI(1'000), "1k");  // below 1024: decimal, as Kubernetes
  EXPECT_EQ(FormatBinarySI(int64_t{7} << 60), "7Ei");
}

}  // namespace
}  // namespace limen::api
