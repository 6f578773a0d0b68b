// Fuzzes the quantity parser and Value(): never a crash, an overflow or UB; a parsed value
// that fits in int64 formats to a canonical text that parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "limen/api/quantity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto q = limen::api::ParseQuantity(text);
  if (!q.ok()) return 0;
  const auto v = q->Value();
  if (!v.ok()) return 0;
  for (const auto& canonical : {limen::api::FormatDecimalSI(*v), limen::api::FormatBinarySI(*v)}) {
    const auto back = limen::api::ParseQuantity(canonical);
    if (!back.ok()) std::abort();
    const auto bv = back->Value();
    if (!bv.ok() || *bv != *v) std::abort();
  }
  return 0;
}
