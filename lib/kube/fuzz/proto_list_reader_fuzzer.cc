// Fuzzes ProtoListReader (a protobuf List body decoded item by item while it arrives) with
// the Pod schema. The first byte chooses the filter, the second how the body is cut into
// arrivals; the rest is the body. Invariants: no crash, and the result — a list or the same
// error — does not depend on how the bytes arrived.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../src/proto_list_reader.h"
#include "../test/filter_fixtures.h"

using limen::kube::internal::ProtoListReader;
using limen::kube::testing::ArriveInPieces;
using limen::kube::testing::ListFuzzInputOf;
using limen::kube::testing::SameJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto in = ListFuzzInputOf(data, size);
  if (!in) return 0;
  const auto& schema = *limen::kube::internal::proto::ItemSchema(limen::kube::resources::kPods);

  ProtoListReader whole(schema, in->filter);
  whole.Append(in->body);
  ProtoListReader split(schema, in->filter);  // in pieces, even when step is 0 (whole)
  ArriveInPieces(in->body, in->step == 0 ? 1 : in->step,
                 [&](std::string_view piece) { split.Append(piece); });
  const auto a = whole.Finish();
  const auto b = split.Finish();
  if (a.ok() != b.ok()) std::abort();
  if (a.ok() && !SameJson(*a, *b)) std::abort();
  if (!a.ok() && a.status().message() != b.status().message()) std::abort();
  if (a.ok()) (void)a->dump();  // every string is valid UTF-8
  return 0;
}
