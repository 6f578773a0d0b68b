#include "limen/api/time.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace limen::api {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Reads exactly `n` digits at `pos`; false when they are not all digits.
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("invalid RFC 3339 time \"" + std::string(text) +
                                 "\": " + std::string(why));
}

bool Expect(std::string_view s, size_t pos, char a, char b = '\0') {
  return pos < s.size() && (s[pos] == a || (b != '\0' && s[pos] == b));
}

}  // namespace

StatusOr<Time> ParseTime(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, 0, 4, year) || !Expect(text, 4, '-') || !Digits(text, 5, 2, month) ||
      !Expect(text, 7, '-') || !Digits(text, 8, 2, day)) {
    return Bad(text, "want a date YYYY-MM-DD");
  }
  if (!Expect(text, 10, 'T', 't')) return Bad(text, "want 'T' after the date");
  if (!Digits(text, 11, 2, hour) || !Expect(text, 13, ':') || !Digits(text, 14, 2, minute) ||
      !Expect(text, 16, ':') || !Digits(text, 17, 2, second)) {
    return Bad(text, "want a time hh:mm:ss");
  }
  if (year < 1678 || year > 2261) return Bad(text, "year out of range 1678..2261");
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return Bad(text, "no such date");
  if (hour > 23 || minute > 59 || second > 59) return Bad(text, "time of day out of range");
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (Expect(text, pos, '.')) {
    ++pos;
    size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 9) frac_ns = frac_ns * 10 + (text[pos] - '0');
    }
    if (digits == 0) return Bad(text, "want digits after '.'");
    for (size_t i = digits; i < 9; ++i) frac_ns *= 10;
  }
  int offset_minutes = 0;
  if (Expect(text, pos, 'Z', 'z')) {
    ++pos;
  } else if (Expect(text, pos, '+', '-')) {
    const bool negative = text[pos] == '-';
    int oh = 0, om = 0;
    if (!Digits(text, pos + 1, 2, oh) || !Expect(text, pos + 3, ':') ||
        !Digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return Bad(text, "want a zone offset +hh:mm");
    }
    offset_minutes = (oh * 60 + om) * (negative ? -1 : 1);
    pos += 6;
  } else {
    return Bad(text, "want a zone 'Z' or +hh:mm");
  }
  if (pos != text.size()) return Bad(text, "unexpected text after the zone");
  const auto day_start = std::chrono::sys_days(ymd);
  const auto local = day_start + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                     seconds(second) - std::chrono::minutes(offset_minutes);
  return Time(duration_cast<Time::duration>(local.time_since_epoch() + nanoseconds(frac_ns)));
}

std::string FormatTime(Time t) {
  const auto ns = duration_cast<nanoseconds>(t.time_since_epoch());
  const auto secs = std::chrono::floor<seconds>(ns);
  const int64_t frac = (ns - secs).count();
  const auto days = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{std::chrono::sys_days(days)};
  const std::chrono::hh_mm_ss hms{secs - days};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string out(buf);
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out += 'Z';
  return out;
}

Time TruncateToSeconds(Time t) {
  return Time(duration_cast<Time::duration>(std::chrono::floor<seconds>(t.time_since_epoch())));
}

}  // namespace limen::api
