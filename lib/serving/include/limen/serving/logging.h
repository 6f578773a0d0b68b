// Structured logging for Limen's binaries: spdlog with one JSON object per line
// ({"ts","level","logger","msg"}) by default, or a human text format for local runs.
//
// Call InitLogging once at the start of main(); then use spdlog::info(...) etc. The message
// is JSON-escaped, so any text — including user input — yields a valid line.
#pragma once

#include <string>

#include "limen/base/status.h"

namespace limen::serving {

enum class LogFormat { kJson, kText };

// `level`: trace, debug, info, warn, error. Unknown values are an InvalidArgument naming them.
Status InitLogging(const std::string& component, const std::string& level, LogFormat format);

// JSON string escaping (RFC 8259) of arbitrary bytes; invalid UTF-8 becomes U+FFFD.
std::string JsonEscape(std::string_view text);

}  // namespace limen::serving
