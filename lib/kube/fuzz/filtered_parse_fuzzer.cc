// Fuzzes ReadFiltered (the filtering JSON reader behind ParseFiltered) differentially against
// nlohmann's parser with the reference filtering callback. The first byte chooses the filter
// and the filtered place; the rest is the document. Invariants: when the reader accepts,
// nlohmann accepts and gives the same value (number types and the sign of zero included);
// when the reader finds the document invalid, nlohmann rejects it; ParseFiltered always
// gives nlohmann's answer.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../src/filtered_reader.h"

namespace {

using limen::kube::FieldFilter;
using limen::kube::FieldMask;
using limen::kube::Object;
namespace internal = limen::kube::internal;

// Stricter than Object's operator==, which equates 1, 1u and 1.0, and 0.0 with -0.0 (and
// finds two discarded values unequal).
bool Same(const Object& a, const Object& b) {
  if (a.type() != b.type()) return false;
  if (a.is_discarded()) return true;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !Same(*it, *jt)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Same(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x == y && std::signbit(x) == std::signbit(y);
  }
  return a == b;
}

const FieldFilter* FilterNumbered(uint8_t n) {
  static const auto projection = FieldMask::Keeping({{"metadata", "labels"},
                                                     {"metadata", "annotations", "limen.dev/*"},
                                                     {"spec", "nodeName"},
                                                     {"status", "containerStatuses", "name"},
                                                     {"a", "b"}});
  static const auto except = FieldMask::AllExcept({{"metadata", "managedFields"}, {"a"}});
  static const auto nothing = FieldMask::Keeping({});
  switch (n % 4) {
    case 0: return nullptr;
    case 1: return projection.get();
    case 2: return except.get();
    default: return nothing.get();
  }
}

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
    if (want.is_discarded() || !Same(got.value, want)) std::abort();
  } else if (got.status == internal::ReadResult::kInvalid) {
    if (!want.is_discarded()) std::abort();
  }
  if (!Same(limen::kube::ParseFiltered(doc, filter, path), want)) std::abort();
  return 0;
}
