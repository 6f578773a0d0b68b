#include "limen/kube/watch_decoder.h"

#include <atomic>

#include <spdlog/spdlog.h>

namespace limen::kube {
namespace {

std::atomic<uint64_t> g_malformed_total{0};

std::optional<WatchEvent::Type> ParseType(const std::string& t) {
  if (t == "ADDED") return WatchEvent::Type::kAdded;
  if (t == "MODIFIED") return WatchEvent::Type::kModified;
  if (t == "DELETED") return WatchEvent::Type::kDeleted;
  if (t == "BOOKMARK") return WatchEvent::Type::kBookmark;
  if (t == "ERROR") return WatchEvent::Type::kError;
  return std::nullopt;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

uint64_t MalformedWatchLinesTotal() { return g_malformed_total.load(); }

std::optional<WatchEvent> ParseWatchEvent(std::string_view line, std::string* why,
                                          const FieldFilter* filter) {
  auto j = ParseFiltered(line, filter, {"object"});
  if (filter != nullptr && j.is_object()) {
    // A Status: its fields are not the filter's. A BOOKMARK: its annotation
    // k8s.io/initial-events-end ends a watch-list whatever the filter keeps (bookmarks
    // hold only metadata, so parsing one twice costs little).
    const std::string type = j.value("type", "");
    if (type == "ERROR" || type == "BOOKMARK") j = ParseFiltered(line, nullptr, {});
  }
  if (j.is_discarded()) {
    *why = "not JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    *why = "not a JSON object";
    return std::nullopt;
  }
  const auto type = j.find("type");
  const auto object = j.find("object");
  if (type == j.end() || !type->is_string()) {
    *why = "no string \"type\"";
    return std::nullopt;
  }
  const auto t = ParseType(type->get<std::string>());
  if (!t) {
    *why = "unknown type \"" + type->get<std::string>() + "\"";
    return std::nullopt;
  }
  if (object == j.end() || !object->is_object()) {
    *why = "no \"object\"";
    return std::nullopt;
  }
  return WatchEvent{*t, std::move(*object)};
}

void WatchDecoder::Malformed(std::string_view line, std::string_view why) {
  ++malformed_;
  g_malformed_total.fetch_add(1);
  constexpr size_t kShown = 120;
  spdlog::warn("watch: skipping malformed event line ({}, {} bytes): {}{}", why, line.size(),
               line.substr(0, kShown), line.size() > kShown ? "..." : "");
}

std::optional<WatchEvent> WatchDecoder::DecodeLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (IsBlank(line)) return std::nullopt;
  std::string why;
  auto event = ParseWatchEvent(line, &why, filter_.get());
  if (!event) Malformed(line, why);
  return event;
}

std::vector<WatchEvent> WatchDecoder::Feed(std::string_view chunk) {
  std::vector<WatchEvent> events;
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    const std::string_view piece = chunk.substr(0, nl);
    chunk = nl == std::string_view::npos ? std::string_view{} : chunk.substr(nl + 1);
    const bool complete = nl != std::string_view::npos;
    if (skipping_) {
      // The rest of an over-long line (already counted): drop until its newline.
      if (complete) skipping_ = false;
      continue;
    }
    if (buffer_.size() + piece.size() > max_line_bytes_) {
      Malformed(buffer_, "line longer than the limit");
      buffer_.clear();
      skipping_ = !complete;
      continue;
    }
    if (!complete) {
      buffer_.append(piece);
      break;
    }
    std::optional<WatchEvent> event;
    if (buffer_.empty()) {
      event = DecodeLine(piece);
    } else {
      buffer_.append(piece);
      event = DecodeLine(buffer_);
      buffer_.clear();
    }
    if (event) events.push_back(std::move(*event));
  }
  return events;
}

std::optional<WatchEvent> WatchDecoder::Finish() {
  skipping_ = false;
  if (buffer_.empty()) return std::nullopt;
  std::string line;
  line.swap(buffer_);
  return DecodeLine(line);
}

}  // namespace limen::kube
