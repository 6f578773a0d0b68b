// Fuzzes the Go-duration parser: never a crash or UB; a parsed duration formats (Go's
// String()) to a text that parses back to the same number of nanoseconds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "limen/api/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto d = limen::api::ParseDuration(text);
  if (!d.ok()) return 0;
  const auto back = limen::api::ParseDuration(limen::api::FormatDuration(*d));
  if (!back.ok() || *back != *d) std::abort();
  return 0;
}
