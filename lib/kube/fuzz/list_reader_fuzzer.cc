// Fuzzes ListReader (a List body decoded item by item while it arrives) differentially
// against ParseFiltered of the whole body, the decoding it replaces. The first byte chooses
// the filter, the second how the body is cut into arrivals; the rest is the body.
// Invariant: Finish gives exactly ParseFiltered(body, filter, {"items"}), however the bytes
// arrived.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../src/list_reader.h"
#include "../test/filter_fixtures.h"

using limen::kube::FieldFilter;
using limen::kube::testing::ArriveInPieces;
using limen::kube::testing::FilterNumbered;
using limen::kube::testing::SameJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  const FieldFilter* filter = FilterNumbered(data[0]);
  limen::kube::internal::ListReader reader(filter);
  ArriveInPieces(body, data[1], [&](std::string_view piece) { reader.Append(piece); });
  const auto got = reader.Finish();
  if (!SameJson(got, limen::kube::ParseFiltered(body, filter, {"items"}))) std::abort();
  return 0;
}
