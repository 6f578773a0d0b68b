// ListReader: decodes a List response while its body is still arriving, item by item.
//
// The apiserver streams a list one item at a time (a 10,000-Pod list is ≈ 90 MB in ≈ 10,000
// chunks over about a second). Parsing it only once complete puts the whole parse after the
// transfer and holds the whole body; ListReader parses each element of the top-level "items"
// array as soon as its last byte is in and then drops its bytes, so the parse overlaps the
// transfer and memory holds one item's text, not the list's.
//
// A structural scan (strings, escapes, brackets) finds the items; each is parsed with
// ParseFiltered at its root, which is what the whole-body parse with object path {"items"}
// does to it. The rest (the "envelope": kind, apiVersion, metadata) is kept as text and
// parsed at the end with the items array left empty, then the items are put in. The result
// is always ParseFiltered(body, filter, {"items"}) — the list fuzzer checks exactly that —
// including for odd bodies: "items" named twice (the last wins), an escaped key, items that
// are not objects, invalid JSON (discarded). A body whose top level is not an object is kept
// whole and parsed at the end.
// A private header of lib/kube.
//
// Thread-safety: none; one reader per response.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "limen/kube/field_filter.h"

namespace limen::kube::internal {

class ListReader {
 public:
  explicit ListReader(const FieldFilter* filter) : filter_(filter) {}

  // The next bytes of the body; parses the items they complete.
  void Append(std::string_view bytes);

  // The body has ended: ParseFiltered(body, filter, {"items"}) — discarded when it is not
  // JSON.
  Object Finish();

  size_t bytes_read() const { return bytes_read_; }
  size_t items_read() const { return items_.size(); }
  // Bytes held now (the envelope and the unparsed tail), for tests of the memory bound.
  size_t bytes_held() const { return envelope_.size() + buf_.size(); }

 private:
  enum class Phase {
    kEnvelope,    // the top-level object outside the streamed "items"
    kItemsStart,  // after the streamed "items":[ — an item or ']'
    kItem,        // inside an object, array or string item
    kScalar,      // inside a number or literal item
    kAfterItem,   // ',' or ']'
    kAfterComma,  // an item
    kInvalid,     // not JSON: the result is discarded
    kWhole,       // not an object at the top: parsed whole at the end
  };

  void Scan();
  void ScanEnvelope();
  void ScanItems();
  void StartItem(char c);
  void EndItem();
  void CloseItems();
  void OnKey();
  // Advances pos_ past the string whose opening quote was consumed; false if the bytes end
  // first (in_string_ and escape_ carry over).
  bool SkipString();
  void DropScanned();

  const FieldFilter* filter_;
  Object items_ = Object::array();
  std::string envelope_;  // the envelope's text before and after the streamed items
  std::string buf_;       // bytes not yet moved to envelope_ or parsed
  Phase phase_ = Phase::kEnvelope;
  size_t pos_ = 0;          // next byte of buf_ to scan
  bool in_string_ = false;  // inside a string (its opening quote consumed)
  bool escape_ = false;     // after a backslash inside a string
  size_t bytes_read_ = 0;
  int depth_ = 0;                // envelope nesting (1: inside the top-level object)
  bool top_seen_ = false;        // the top-level object has opened
  bool key_next_ = false;        // at depth 1, the next string is a key
  size_t key_start_ = 0;         // of the depth-1 key being read, in buf_
  bool value_is_items_ = false;  // the depth-1 value about to start is that of "items"
  bool streamed_ = false;        // an "items" array was read item by item
  bool items_again_ = false;     // a later "items" member overrides the streamed one
  size_t item_start_ = 0;        // in buf_
  int item_depth_ = 0;
};

}  // namespace limen::kube::internal
