#include "limen/api/quantity.h"

#include <limits>
#include <string>

namespace limen::api {
namespace {

constexpr std::string_view kValidSuffixes =
    "valid: n u m k M G T P E Ki Mi Gi Ti Pi Ei or e<exponent>";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("invalid quantity \"" + std::string(text) +
                                 "\": " + std::string(why));
}

struct Suffix {
  std::string_view name;
  int exp10;
  int exp2;
};
constexpr Suffix kSuffixes[] = {
    {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0},  {"", 0, 0},    {"k", 3, 0},   {"M", 6, 0},
    {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0},  {"Ki", 0, 10}, {"Mi", 0, 20},
    {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60},
};

// Parses "e"/"E" [+-] digits into `exp`; the exponent must fit in int32 as in Go.
Status ParseExponent(std::string_view text, std::string_view suffix, int64_t& exp) {
  std::string_view s = suffix.substr(1);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return Invalid(text, "exponent \"" + std::string(suffix) + "\" has no digits");
  exp = 0;
  for (char c : s) {
    if (!IsDigit(c)) {
      return Invalid(text, "unknown suffix \"" + std::string(suffix) + "\" (" +
                               std::string(kValidSuffixes) + ")");
    }
    exp = exp * 10 + (c - '0');
    if (exp > std::numeric_limits<int32_t>::max()) return Invalid(text, "exponent out of range");
  }
  if (negative) exp = -exp;
  return Status::Ok();
}

}  // namespace

StatusOr<Quantity> ParseQuantity(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  Quantity q;
  q.text = std::string(text);
  std::string_view s = text;
  if (s[0] == '+' || s[0] == '-') {
    q.negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  std::string_view whole = s.substr(0, i);
  std::string_view fraction;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    fraction = s.substr(start, i - start);
  }
  if (whole.empty() && fraction.empty()) {
    return Invalid(text, "expected a number at the start (digits, optionally with '.' and a sign)");
  }
  const std::string_view suffix = s.substr(i);
  int64_t exp10 = 0;
  bool known = false;
  for (const Suffix& x : kSuffixes) {
    if (x.name == suffix) {
      exp10 = x.exp10;
      q.exp2 = x.exp2;
      q.format = x.exp2 != 0 ? Quantity::Format::kBinarySI : Quantity::Format::kDecimalSI;
      known = true;
    }
  }
  if (!known && (suffix[0] == 'e' || suffix[0] == 'E')) {
    LIMEN_RETURN_IF_ERROR(ParseExponent(text, suffix, exp10));
    q.format = Quantity::Format::kDecimalExponent;
    known = true;
  }
  if (!known) {
    return Invalid(text, "unknown suffix \"" + std::string(suffix) + "\" (" +
                             std::string(kValidSuffixes) + ")");
  }
  // Normalise: digits without leading/trailing zeros, exponent adjusted.
  std::string digits = std::string(whole) + std::string(fraction);
  exp10 -= static_cast<int64_t>(fraction.size());
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    digits.clear();
    exp10 = 0;
  } else {
    digits.erase(0, first);
    const size_t last = digits.find_last_not_of('0');
    exp10 += static_cast<int64_t>(digits.size() - last - 1);
    digits.erase(last + 1);
  }
  q.digits = std::move(digits);
  q.exp10 = exp10;
  if (q.IsZero()) q.negative = false;
  return q;
}

StatusOr<int64_t> Quantity::Value() const {
  if (IsZero()) return int64_t{0};
  const Status overflow =
      Status::InvalidArgument("quantity \"" + text + "\" does not fit in int64");
  const auto n = static_cast<int64_t>(digits.size());
  // All arithmetic fits in uint64: 19 digits < 1.9e19, and the fraction's partial sums
  // stay below 10 × 2^60 < 2^64.
  const uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const uint64_t multiplier = uint64_t{1} << exp2;
  // Integer part: digits[0, n + exp10) followed by max(exp10, 0) zeros.
  const int64_t int_len = n + exp10;
  if (int_len > 19) return overflow;  // at least 10^19 > int64 max
  uint64_t whole = 0;
  for (int64_t k = 0; k < int_len; ++k) {
    whole = whole * 10 + (k < n ? static_cast<unsigned>(digits[static_cast<size_t>(k)] - '0') : 0);
  }
  if (whole > (max >> exp2)) return overflow;
  whole <<= exp2;
  // Fractional part f in [0, 1): floor(f × 2^exp2) and whether anything remains, computed
  // digit by digit from the right (Horner) so that no digit count can overflow.
  bool remainder = false;
  uint64_t carry = 0;
  if (int_len < -40) {
    remainder = true;  // f < 10^-40, so f × 2^60 < 1 and f adds no whole unit
  } else {
    // Fraction digit j (1-based after the point) is digits[int_len + j - 1], or 0 before it.
    const int64_t frac_len = int_len >= n ? 0 : n - int_len;
    for (int64_t j = frac_len; j >= 1; --j) {
      const int64_t idx = int_len + j - 1;
      const unsigned d =
          idx >= 0 ? static_cast<unsigned>(digits[static_cast<size_t>(idx)] - '0') : 0;
      const uint64_t t = d * multiplier + carry;
      carry = t / 10;
      if (t % 10 != 0) remainder = true;
    }
  }
  const uint64_t magnitude = whole + carry + (remainder ? 1 : 0);
  if (magnitude > max) return overflow;
  const auto v = static_cast<int64_t>(magnitude);
  return negative ? -v : v;
}

namespace {

// Divides by `base` while it divides exactly (at most 6 times: k..E or Ki..Ei).
std::string FormatWithSuffixes(int64_t value, int64_t base, const char* const (&names)[7]) {
  if (value == 0) return "0";
  int used = 0;
  while (used < 6 && value % base == 0) {
    value /= base;
    ++used;
  }
  return std::to_string(value) + names[used];
}

}  // namespace

std::string FormatDecimalSI(int64_t value) {
  static const char* const kNames[7] = {"", "k", "M", "G", "T", "P", "E"};
  return FormatWithSuffixes(value, 1000, kNames);
}

std::string FormatBinarySI(int64_t value) {
  // As resource.Quantity: small values are written in decimal SI to avoid confusion.
  if (value > -1024 && value < 1024) return FormatDecimalSI(value);
  static const char* const kNames[7] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  return FormatWithSuffixes(value, 1024, kNames);
}

}  // namespace limen::api
