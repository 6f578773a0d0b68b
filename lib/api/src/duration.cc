#include "limen/api/duration.h"

#include <cstdint>
#include <string>

namespace limen::api {
namespace {

constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;  // |math.MinInt64|

struct Unit {
  std::string_view name;
  uint64_t nanos;
};
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 MICRO SIGN
    {"\xCE\xBCs", 1'000},  // U+03BC GREEK SMALL LETTER MU
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Invalid(std::string_view text, std::string_view why) {
  std::string m = "invalid duration \"" + std::string(text) + "\"";
  if (!why.empty()) m += ": " + std::string(why);
  return Status::InvalidArgument(std::move(m));
}

// Go's leadingInt: consumes [0-9]*; false on overflow past 1<<63.
bool LeadingInt(std::string_view& s, uint64_t& x) {
  x = 0;
  size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (x > kMaxMagnitude / 10) return false;
    x = x * 10 + static_cast<uint64_t>(s[i] - '0');
    if (x > kMaxMagnitude) return false;
  }
  s.remove_prefix(i);
  return true;
}

// Go's leadingFraction: consumes [0-9]*, keeping as much precision as fits.
void LeadingFraction(std::string_view& s, uint64_t& x, double& scale) {
  x = 0;
  scale = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (overflow) continue;
    if (x > (kMaxMagnitude - 1) / 10) {
      overflow = true;
      continue;
    }
    const uint64_t y = x * 10 + static_cast<uint64_t>(s[i] - '0');
    if (y > kMaxMagnitude) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

}  // namespace

StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Invalid(text, "empty");
  uint64_t total = 0;
  while (!s.empty()) {
    if (s[0] != '.' && !IsDigit(s[0])) {
      return Invalid(text, "expected a number at \"" + std::string(s) + "\"");
    }
    const size_t before = s.size();
    uint64_t v = 0;
    if (!LeadingInt(s, v)) return Invalid(text, "overflows");
    const bool pre = s.size() != before;
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      const size_t at = s.size();
      LeadingFraction(s, f, scale);
      post = s.size() != at;
    }
    if (!pre && !post) return Invalid(text, "expected digits around '.'");
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
    if (i == 0) return Invalid(text, "missing unit (valid units: ns, us, µs, ms, s, m, h)");
    const std::string_view name = s.substr(0, i);
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == name) unit = &u;
    }
    if (unit == nullptr) {
      return Invalid(text, "unknown unit \"" + std::string(name) +
                               "\" (valid units: ns, us, µs, ms, s, m, h)");
    }
    if (v > kMaxMagnitude / unit->nanos) return Invalid(text, "overflows");
    v *= unit->nanos;
    if (f > 0) {
      // As Go: float64 keeps fractions of hours nanosecond-accurate; f < scale, so the
      // product is below unit->nanos and the conversion is in range.
      v += static_cast<uint64_t>(static_cast<double>(f) *
                                 (static_cast<double>(unit->nanos) / scale));
      if (v > kMaxMagnitude) return Invalid(text, "overflows");
    }
    total += v;
    if (total > kMaxMagnitude) return Invalid(text, "overflows");
  }
  if (negative) {
    // -(1<<63) is representable; everything else negates in range.
    return std::chrono::nanoseconds(total == kMaxMagnitude ? INT64_MIN
                                                           : -static_cast<int64_t>(total));
  }
  if (total > kMaxMagnitude - 1) return Invalid(text, "overflows");
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

namespace {

// Go's fmtFrac: writes ".digits" of v/10^prec (trailing zeros dropped) in front of `out`.
uint64_t PrependFraction(std::string& out, uint64_t v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = static_cast<char>('0' + v % 10);
    print = print || digit != '0';
    if (print) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (print) out.insert(0, "." + digits);
  return v;
}

void PrependInt(std::string& out, uint64_t v) { out.insert(0, std::to_string(v)); }

}  // namespace

std::string FormatDuration(std::chrono::nanoseconds d) {
  const int64_t n = d.count();
  const bool negative = n < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string out;
  if (u < 1'000'000'000) {
    if (u == 0) return "0s";
    int prec = 0;
    if (u < 1'000) {
      out = "ns";
    } else if (u < 1'000'000) {
      prec = 3;
      out = "\xC2\xB5s";  // Go writes U+00B5 MICRO SIGN
    } else {
      prec = 6;
      out = "ms";
    }
    u = PrependFraction(out, u, prec);
    PrependInt(out, u);
  } else {
    out = "s";
    u = PrependFraction(out, u, 9);
    PrependInt(out, u % 60);
    u /= 60;
    if (u > 0) {
      out.insert(0, "m");
      PrependInt(out, u % 60);
      u /= 60;
      if (u > 0) {
        out.insert(0, "h");
        PrependInt(out, u);
      }
    }
  }
  if (negative) out.insert(0, "-");
  return out;
}

}  // namespace limen::api
