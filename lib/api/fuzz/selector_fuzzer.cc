// Fuzzes the label-selector parser: it must never crash, and a parsed selector's String()
// must parse again to the same selector (the canonical form is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "limen/api/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = limen::api::ParseSelector(text);
  if (!parsed.ok()) return 0;
  const auto again = limen::api::ParseSelector(parsed->String());
  if (!again.ok() || !(*again == *parsed)) std::abort();
  (void)parsed->Matches({{"a", "b"}, {"app", "web"}, {"n", "5"}});
  return 0;
}
