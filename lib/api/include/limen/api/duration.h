// Go durations: the syntax of Go's time.ParseDuration ("2160h", "1h30m", "250ms", "1.5h",
// "-3s", "10us", "10µs") and the text of time.Duration.String(), so durations written in
// Limen's custom resources mean exactly what they mean to Go tooling and to the apiserver.
//
// A duration is a std::chrono::nanoseconds, the same range as Go's time.Duration
// (±292 years). Fractions are converted with the same float64 arithmetic as Go, so the
// results are bit-for-bit those of Go on amd64.
//
// Thread-safety: pure functions on values.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "limen/base/status.h"

namespace limen::api {

// Parses a Go duration string. Errors say what is wrong and quote the input, e.g.
// `invalid duration "5d": unknown unit "d" (valid units: ns, us, µs, ms, s, m, h)`.
StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// Go's time.Duration.String(): "2160h0m0s", "1h30m0s", "3s", "250ms", "1.5µs", "0s".
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace limen::api
