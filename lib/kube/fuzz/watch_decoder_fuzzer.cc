// Fuzzes WatchDecoder with arbitrary bytes — a watch body is untrusted input. The first byte
// chooses where the body is split in two, so chunk boundaries are fuzzed too. Invariants:
// no crash, and the same events whatever the split; a field filter applied while parsing
// gives the same events as the same filter applied to the re-serialised whole object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "limen/kube/field_filter.h"
#include "limen/kube/watch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t cut = body.empty() ? 0 : data[0] % (body.size() + 1);

  limen::kube::WatchDecoder whole;
  auto expected = whole.Feed(body);
  const bool expected_last = whole.Finish().has_value();

  limen::kube::WatchDecoder split;
  auto events = split.Feed(body.substr(0, cut));
  auto rest = split.Feed(body.substr(cut));
  events.insert(events.end(), rest.begin(), rest.end());
  const bool split_last = split.Finish().has_value();

  if (events.size() != expected.size() || split_last != expected_last) std::abort();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].type != expected[i].type || events[i].object != expected[i].object) {
      std::abort();
    }
  }

  static const auto mask =
      limen::kube::FieldMask::Keeping({{"spec", "nodeName"},
                                       {"metadata", "labels"},
                                       {"metadata", "annotations", "limen.dev/*"},
                                       {"status", "containerStatuses", "name"}});
  limen::kube::WatchDecoder filtered(limen::kube::WatchDecoder::kDefaultMaxLineBytes, mask);
  auto projected = filtered.Feed(body);
  if (projected.size() != expected.size()) std::abort();
  for (size_t i = 0; i < projected.size(); ++i) {
    if (projected[i].type != expected[i].type) std::abort();
    if (expected[i].type == limen::kube::WatchEvent::Type::kError) continue;  // never filtered
    if (projected[i].object !=
        limen::kube::ParseFiltered(expected[i].object.dump(), mask.get(), {})) {
      std::abort();
    }
  }
  return 0;
}
