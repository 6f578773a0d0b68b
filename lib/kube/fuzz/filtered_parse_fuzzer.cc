// Fuzzes ReadFiltered (the filtering JSON reader behind ParseFiltered) differentially against
// nlohmann's parser with the reference filtering callback. The first byte chooses the filter
// and the filtered place; the rest is the document. Invariants: when the reader accepts,
// nlohmann accepts and gives the same value (number types and the sign of zero included);
// when the reader finds the document invalid, nlohmann rejects it; ParseFiltered always
// gives nlohmann's answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../src/filtered_reader.h"
#include "../test/filter_fixtures.h"

namespace {

using limen::kube::FieldFilter;
using limen::kube::Object;
using limen::kube::testing::FilterNumbered;
using limen::kube::testing::SameJson;
namespace internal = limen::kube::internal;

const std::vector<std::string>& PathNumbered(uint8_t n) {
  static const std::vector<std::string> paths[] = {{}, {"items"}, {"object"}, {"a", "b"}};
  return paths[n % 4];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view doc(reinterpret_cast<const char*>(data + 1), size - 1);
  const FieldFilter* filter = FilterNumbered(data[0]);
  const std::vector<std::string>& path = PathNumbered(data[0] >> 2);

  const internal::ReadResult got = internal::ReadFiltered(doc, filter, path);
  const Object want = internal::ParseFilteredByNlohmann(doc, filter, path);
  if (got.status == internal::ReadResult::kOk) {
    if (want.is_discarded() || !SameJson(got.value, want)) std::abort();
  } else if (got.status == internal::ReadResult::kInvalid) {
    if (!want.is_discarded()) std::abort();
  }
  if (!SameJson(limen::kube::ParseFiltered(doc, filter, path), want)) std::abort();
  return 0;
}
