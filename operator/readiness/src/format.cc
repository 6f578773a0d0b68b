#include "format.h"

#include <cstdio>

namespace limen::readiness {
namespace {

// value / unit with one decimal, rounded half up, without floating point.
std::string OneDecimal(int64_t value, int64_t unit, const char* suffix) {
  const int64_t tenths = (value * 10 + unit / 2) / unit;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%lld.%lld%s", static_cast<long long>(tenths / 10),
                static_cast<long long>(tenths % 10), suffix);
  return buf;
}

}  // namespace

std::string FormatMillis(int64_t nanos) { return OneDecimal(nanos, 1'000'000, "ms"); }
std::string FormatMegabytes(int64_t bytes) { return OneDecimal(bytes, 1'000'000, "M"); }
std::string FormatBasisPoints(int64_t bp) { return OneDecimal(bp, 100, "%"); }

}  // namespace limen::readiness
