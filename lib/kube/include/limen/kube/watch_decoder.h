// WatchDecoder: turns the byte stream of a watch response (one JSON event per line,
// {"type":"ADDED","object":{...}}) into WatchEvents, whatever the chunking: an event split
// across chunks (even inside a UTF-8 sequence — bytes are buffered until the newline),
// several events in one chunk, blank lines. A malformed line (not JSON, unknown type, no
// object, longer than max_line_bytes) is logged, counted and skipped; it never ends the
// stream or throws.
//
// Thread-safety: not thread-safe; one decoder per stream. MalformedWatchLinesTotal() is a
// process-wide atomic counter (for metrics).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/kube/client.h"
#include "limen/kube/field_filter.h"

namespace limen::kube {

class WatchDecoder {
 public:
  static constexpr size_t kDefaultMaxLineBytes = 64 << 20;  // far above etcd's 1.5 MB object limit
  explicit WatchDecoder(size_t max_line_bytes = kDefaultMaxLineBytes,
                        std::shared_ptr<const FieldFilter> filter = nullptr)
      : max_line_bytes_(max_line_bytes), filter_(std::move(filter)) {}

  // Appends `chunk` and returns the events of every line it completed, in order.
  std::vector<WatchEvent> Feed(std::string_view chunk);
  // At end of stream: an unterminated trailing line is decoded if it is a complete event,
  // otherwise counted as malformed.
  std::optional<WatchEvent> Finish();

  uint64_t malformed_lines() const { return malformed_; }
  size_t buffered_bytes() const { return buffer_.size(); }

 private:
  std::optional<WatchEvent> DecodeLine(std::string_view line);
  void Malformed(std::string_view line, std::string_view why);

  const size_t max_line_bytes_;
  const std::shared_ptr<const FieldFilter> filter_;  // may be null
  std::string buffer_;                               // bytes of the current, incomplete line
  bool skipping_ = false;                            // discarding the rest of an over-long line
  uint64_t malformed_ = 0;
};

// Decodes one event line; nullopt (with `why` set) when malformed. `filter` (may be null)
// applies to the object of ADDED, MODIFIED and DELETED events, never to an ERROR event's
// Status nor to a BOOKMARK (whose annotations end a watch-list's initial events). Pure.
std::optional<WatchEvent> ParseWatchEvent(std::string_view line, std::string* why,
                                          const FieldFilter* filter = nullptr);

// Malformed watch lines seen by every decoder of the process.
uint64_t MalformedWatchLinesTotal();

}  // namespace limen::kube
