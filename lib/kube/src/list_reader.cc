#include "list_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "filtered_reader.h"

namespace limen::kube::internal {
namespace {

bool IsWs(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

void ListReader::Append(std::string_view bytes) {
  bytes_read_ += bytes.size();
  if (phase_ == Phase::kInvalid) return;  // the result is decided
  buf_.append(bytes);
  Scan();
}

void ListReader::Scan() {
  while (pos_ < buf_.size()) {
    switch (phase_) {
      case Phase::kWhole:
      case Phase::kInvalid: return;
      case Phase::kEnvelope: ScanEnvelope(); break;
      default: ScanItems(); break;
    }
  }
  DropScanned();
}

bool ListReader::SkipString() {
  const char* const begin = buf_.data();
  const char* p = begin + pos_;
  const char* const end = begin + buf_.size();
  if (escape_) {
    if (p == end) return false;
    ++p;
    escape_ = false;
  }
  // Plain runs are the bulk of a list: memchr finds the next quote, then whether a
  // backslash comes before it (an escaped quote moves the search on).
  const char* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
  while (quote) {
    const char* slash = static_cast<const char*>(std::memchr(p, '\\', quote - p));
    if (!slash) {
      pos_ = quote + 1 - begin;
      in_string_ = false;
      return true;
    }
    p = slash + 2;  // the escaped byte never ends the string
    if (p > quote) {
      quote = p < end ? static_cast<const char*>(std::memchr(p, '"', end - p)) : nullptr;
    }
  }
  // No closing quote yet: a backslash as the last byte escapes the next bytes' first.
  size_t run = 0;
  while (end - run > p && *(end - run - 1) == '\\') ++run;
  escape_ = run % 2 == 1;
  pos_ = buf_.size();
  return false;
}

void ListReader::OnKey() {
  std::string_view raw = std::string_view(buf_).substr(key_start_, pos_ - 1 - key_start_);
  Object decoded;
  if (raw.find('\\') != std::string_view::npos) {
    decoded = Object::parse("\"" + std::string(raw) + "\"", nullptr, /*allow_exceptions=*/false);
    if (!decoded.is_string()) return;  // a bad escape: the envelope's parse rejects it
    raw = decoded.get_ref<const std::string&>();
  }
  if (raw != "items") return;
  if (streamed_) {
    items_again_ = true;  // the last member of a name wins
  } else {
    value_is_items_ = true;
  }
}

void ListReader::ScanEnvelope() {
  while (phase_ == Phase::kEnvelope && pos_ < buf_.size()) {
    if (in_string_) {
      if (!SkipString()) return;
      if (depth_ == 1 && key_next_) {
        key_next_ = false;
        OnKey();
      }
      continue;
    }
    const char c = buf_[pos_];
    if (IsWs(c)) {
      ++pos_;
      continue;
    }
    if (depth_ == 0) {
      if (top_seen_) {  // after the top-level object: the envelope's parse judges the rest
        pos_ = buf_.size();
        return;
      }
      if (c != '{') {
        phase_ = Phase::kWhole;
        return;
      }
      top_seen_ = true;
    }
    if (value_is_items_ && c != ':') {
      value_is_items_ = false;
      if (c == '[') {  // stream this array: what comes before it is envelope
        envelope_.append(buf_, 0, pos_ + 1);
        buf_.erase(0, pos_ + 1);
        pos_ = 0;
        streamed_ = true;
        phase_ = Phase::kItemsStart;
        return;
      }
    }
    switch (c) {
      case '"':
        in_string_ = true;
        key_start_ = pos_ + 1;
        break;
      case '{':
        if (++depth_ == 1) key_next_ = true;
        break;
      case '[': ++depth_; break;
      case '}':
      case ']': --depth_; break;
      case ',': key_next_ = depth_ == 1; break;
      default: break;  // ':', numbers, literals: the envelope's parse checks them
    }
    ++pos_;
  }
}

void ListReader::ScanItems() {
  while (pos_ < buf_.size()) {
    if (phase_ == Phase::kItem) {
      if (in_string_) {
        if (!SkipString()) return;
        if (item_depth_ == 0) EndItem();  // a string item
      } else {
        const char c = buf_[pos_++];
        if (c == '"') {
          in_string_ = true;
        } else if (c == '{' || c == '[') {
          ++item_depth_;
        } else if ((c == '}' || c == ']') && --item_depth_ == 0) {
          EndItem();
        }
      }
      if (phase_ == Phase::kInvalid) return;
      continue;
    }
    const char c = buf_[pos_];
    if (phase_ == Phase::kScalar) {
      if (c == ',' || c == ']' || c == '{' || c == '[' || c == '"' || IsWs(c)) {
        EndItem();
        if (phase_ == Phase::kInvalid) return;
      } else {
        ++pos_;
      }
      continue;
    }
    if (IsWs(c)) {
      ++pos_;
    } else if (phase_ == Phase::kAfterItem && c == ',') {
      phase_ = Phase::kAfterComma;
      ++pos_;
    } else if (c == ']' && phase_ != Phase::kAfterComma) {  // after an item, or none
      CloseItems();
      return;
    } else if (phase_ == Phase::kAfterItem || c == ']') {  // a trailing comma
      phase_ = Phase::kInvalid;
      return;
    } else {
      StartItem(c);
    }
  }
}

void ListReader::StartItem(char c) {
  item_start_ = pos_++;
  if (c == '{' || c == '[' || c == '"') {
    item_depth_ = c == '"' ? 0 : 1;
    in_string_ = c == '"';
    phase_ = Phase::kItem;
  } else {
    phase_ = Phase::kScalar;
  }
}

void ListReader::EndItem() {
  const std::string_view item = std::string_view(buf_).substr(item_start_, pos_ - item_start_);
  ReadResult read = ReadFiltered(item, filter_, {});
  if (read.status == ReadResult::kUnsupported) {
    read.value = ParseFilteredByNlohmann(item, filter_, {});
    read.status = read.value.is_discarded() ? ReadResult::kInvalid : ReadResult::kOk;
  }
  if (read.status != ReadResult::kOk) {
    phase_ = Phase::kInvalid;
    return;
  }
  items_.push_back(std::move(read.value));
  phase_ = Phase::kAfterItem;
}

void ListReader::CloseItems() {
  envelope_.push_back(']');
  buf_.erase(0, pos_ + 1);
  pos_ = 0;
  key_next_ = false;
  phase_ = Phase::kEnvelope;
}

void ListReader::DropScanned() {
  size_t done = 0;
  switch (phase_) {
    case Phase::kItem:
    case Phase::kScalar: done = item_start_; break;
    case Phase::kItemsStart:
    case Phase::kAfterItem:
    case Phase::kAfterComma: done = pos_; break;
    default: return;  // the envelope is kept whole
  }
  buf_.erase(0, done);
  pos_ -= done;
  item_start_ -= std::min(item_start_, done);
}

Object ListReader::Finish() {
  static const std::vector<std::string> kItemsPath = {"items"};
  if (phase_ == Phase::kWhole) return ParseFiltered(buf_, filter_, kItemsPath);
  if (phase_ != Phase::kEnvelope) return Object(Object::value_t::discarded);  // cut or invalid
  envelope_ += buf_;
  buf_.clear();
  Object list = ParseFiltered(envelope_, filter_, kItemsPath);
  if (!streamed_ || items_again_ || !list.is_object()) return list;
  list["items"] = std::move(items_);  // where the envelope has the empty array it left
  return list;
}

}  // namespace limen::kube::internal
