// Shared by filtered_reader_test.cc, list_reader_test.cc and the filtered_parse and
// list_reader fuzzers: the strict JSON equality the differential checks need, and the field
// filters they run under.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "limen/kube/client.h"
#include "limen/kube/field_filter.h"

namespace limen::kube::testing {

// Stricter than Object's operator==, which equates 1, 1u and 1.0, and 0.0 with -0.0 (and
// finds two discarded values unequal).
inline bool SameJson(const Object& a, const Object& b) {
  if (a.type() != b.type()) return false;
  if (a.is_discarded()) return true;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !SameJson(*it, *jt)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x == y && std::signbit(x) == std::signbit(y);
  }
  return a == b;
}

// The filters the differential checks run under: a projection (wildcard included), an
// "all except", and one that keeps nothing.
struct TestFilters {
  std::shared_ptr<const FieldFilter> projection =
      FieldMask::Keeping({{"metadata", "labels"},
                          {"metadata", "annotations", "limen.dev/*"},
                          {"spec", "nodeName"},
                          {"status", "containerStatuses", "name"},
                          {"a", "b"}});
  std::shared_ptr<const FieldFilter> except =
      FieldMask::AllExcept({{"metadata", "managedFields"}, {"a"}});
  std::shared_ptr<const FieldFilter> nothing = FieldMask::Keeping({});

  static const TestFilters& Get() {
    static const TestFilters filters;
    return filters;
  }
};

// One of the above (or none) by a fuzzer's input byte.
inline const FieldFilter* FilterNumbered(uint8_t n) {
  const TestFilters& filters = TestFilters::Get();
  switch (n % 4) {
    case 0: return nullptr;
    case 1: return filters.projection.get();
    case 2: return filters.except.get();
    default: return filters.nothing.get();
  }
}

// A list fuzzer's input: the first byte chooses the filter, the second how the body arrives
// (ArriveInPieces), the rest is the body. nullopt when there are fewer than two bytes.
struct ListFuzzInput {
  const FieldFilter* filter;
  uint8_t step;
  std::string_view body;
};
inline std::optional<ListFuzzInput> ListFuzzInputOf(const uint8_t* data, size_t size) {
  if (size < 2) return std::nullopt;
  return ListFuzzInput{FilterNumbered(data[0]), data[1],
                       std::string_view(reinterpret_cast<const char*>(data + 2), size - 2)};
}

// A body as the list fuzzers let it arrive: whole when `step` is 0, otherwise in pieces of
// 1..256 bytes whose size varies along the body.
template <typename Append>
void ArriveInPieces(std::string_view body, uint8_t step, Append&& append) {
  if (step == 0) {
    append(body);
    return;
  }
  for (size_t n = 0; n < body.size();) {
    const size_t next = std::min(body.size(), n + 1 + (size_t{step} * (n + 7)) % 256);
    append(body.substr(n, next - n));
    n = next;
  }
}

}  // namespace limen::kube::testing
