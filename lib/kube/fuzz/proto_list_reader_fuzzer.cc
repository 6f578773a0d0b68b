// Fuzzes ProtoListReader (a protobuf List body decoded item by item while it arrives) with
// the Pod schema. The first byte chooses the filter, the second how the body is cut into
// arrivals; the rest is the body. Invariants: no crash, and the result — a list or the same
// error — does not depend on how the bytes arrived.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../src/proto_list_reader.h"
#include "../test/filter_fixtures.h"

using limen::kube::FieldFilter;
using limen::kube::internal::ProtoListReader;
using limen::kube::testing::FilterNumbered;
using limen::kube::testing::SameJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  const FieldFilter* filter = FilterNumbered(data[0]);
  const size_t step = data[1];
  const auto& schema = *limen::kube::internal::proto::ItemSchema(limen::kube::resources::kPods);

  ProtoListReader whole(schema, filter);
  whole.Append(body);
  ProtoListReader split(schema, filter);
  for (size_t n = 0; n < body.size();) {
    const size_t next = std::min(body.size(), n + 1 + (step * (n + 7)) % 256);
    split.Append(body.substr(n, next - n));
    n = next;
  }
  const auto a = whole.Finish();
  const auto b = split.Finish();
  if (a.ok() != b.ok()) std::abort();
  if (a.ok() && !SameJson(*a, *b)) std::abort();
  if (!a.ok() && a.status().message() != b.status().message()) std::abort();
  if (a.ok()) (void)a->dump();  // every string is valid UTF-8
  return 0;
}
