// ReadFiltered: a JSON reader that applies a FieldFilter while it reads (field_filter.h
// says what is kept). Dropped members are skipped at string-scanning speed — validated, but
// never decoded or built — and nlohmann values are built only for what is kept. nlohmann's
// parser with a callback (the reference) still builds every string token of a dropped
// subtree and calls back for each of its events; a Pod list spends most of its bytes there.
//
// It is strict: it accepts only what nlohmann::json::parse accepts, and then returns the
// value that parse + the filter give. What it does not accept — invalid JSON, and the rare
// inputs it leaves to nlohmann (a byte-order mark, nesting deeper than kMaxDepth, a number
// that does not convert exactly) — the caller hands to nlohmann's parser, which decides.
// A private header of lib/kube.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "limen/kube/field_filter.h"

namespace limen::kube::internal {

inline constexpr int kMaxDepth = 256;  // deeper documents go to nlohmann (no recursion limit)

// Whatever the filter says, what the informer needs is kept (field_filter.h): members of
// the filtered object at `path` (its keys from the object's root) named `key`.
bool AlwaysKept(const std::vector<std::string_view>& path, std::string_view key);
// Whether `filter` (null keeps everything) keeps that member, AlwaysKept included: the one
// decision of every reader that filters (JSON text, the DOM, protobuf).
inline bool Kept(const FieldFilter* filter, const std::vector<std::string_view>& path,
                 std::string_view key) {
  return filter == nullptr || AlwaysKept(path, key) || filter->Keep(path, key);
}

struct ReadResult {
  enum Status {
    kOk,          // `value` is what nlohmann's parser and the filter give
    kInvalid,     // not JSON: nlohmann rejects it too
    kUnsupported  // not decided here (a byte-order mark, deep nesting, a number that does
                  // not convert exactly, a NUL byte after the value): nlohmann decides
  };
  Status status = kInvalid;
  Object value;
};

// `filter` may be null: everything is kept.
ReadResult ReadFiltered(std::string_view json, const FieldFilter* filter,
                        const std::vector<std::string>& object_path);

// The reference ReadFiltered matches, and the fallback for what it does not accept:
// nlohmann::json::parse with a filtering callback (field_filter.cc). Discarded when `json`
// is not valid JSON.
Object ParseFilteredByNlohmann(std::string_view json, const FieldFilter* filter,
                               const std::vector<std::string>& object_path);

}  // namespace limen::kube::internal
