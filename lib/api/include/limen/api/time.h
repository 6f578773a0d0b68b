// Time: the timestamps of the Kubernetes API (metav1.Time, metav1.MicroTime) as
// std::chrono::system_clock time points, with RFC 3339 parsing and formatting.
//
// Formatting is UTC with a "Z" suffix and the fraction of a second only when it is not
// zero, trailing zeros trimmed (Go's time.RFC3339Nano), so a seconds-precision timestamp
// written by the apiserver ("2024-05-01T10:00:00Z") formats back to the same text.
//
// Thread-safety: pure functions on values.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "limen/base/status.h"

namespace limen::api {

using Time = std::chrono::system_clock::time_point;

// Parses "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.25+02:00" (RFC 3339; 'T'/'t', 'Z'/'z').
// Errors name the offending part; years outside what Time can hold (1678..2261) are errors.
StatusOr<Time> ParseTime(std::string_view text);

// "2024-05-01T10:00:00Z", or "2024-05-01T10:00:00.25Z" with a fraction.
std::string FormatTime(Time t);

// `t` truncated to whole seconds, the precision metav1.Time keeps on the wire.
Time TruncateToSeconds(Time t);

}  // namespace limen::api
