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

using limen::kube::testing::ArriveInPieces;
using limen::kube::testing::ListFuzzInputOf;
using limen::kube::testing::SameJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto in = ListFuzzInputOf(data, size);
  if (!in) return 0;
  limen::kube::internal::ListReader reader(in->filter);
  ArriveInPieces(in->body, in->step, [&](std::string_view piece) { reader.Append(piece); });
  const auto got = reader.Finish();
  if (!SameJson(got, limen::kube::ParseFiltered(in->body, in->filter, {"items"}))) std::abort();
  return 0;
}
