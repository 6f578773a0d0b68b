// FieldFilter: the fields of an object a cache keeps, decided while the JSON is parsed, so
// that the fields it drops are never built (client-go decodes whole objects and then runs a
// TransformFunc; here the projection happens inside the parser, which is what makes a
// 10,000-Pod list cost the projected size rather than the full objects' DOM).
//
// A filter answers Keep(path, key): whether the member `key` of the object reached by
// `path` (object keys from the object's root; array elements add nothing, so
// status.containerStatuses[].name is path {"status", "containerStatuses"}, key "name")
// is kept. A dropped member's value is skipped whole.
//
// ParseFiltered applies a filter to the objects at one place of a document — a list's
// "items" or a watch event's "object" — and keeps the envelope around them. Whatever the
// filter says, apiVersion, kind and metadata.{name, namespace, uid, resourceVersion,
// deletionTimestamp} are kept: the informer keys, orders and deletes by them.
//
// FieldMask is the usual filter: a set of kept paths, each a vector of keys, where a key
// ending in '*' matches every key with that prefix (annotations under "limen.dev/*"), and a
// kept path keeps everything below it. FieldMask::AllExcept keeps everything but the given
// paths (metadata.managedFields).
//
// Thread-safety: filters are immutable and safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube {

class FieldFilter {
 public:
  virtual ~FieldFilter() = default;
  virtual bool Keep(const std::vector<std::string_view>& path, std::string_view key) const = 0;
};

class FieldMask final : public FieldFilter {
 public:
  using Path = std::vector<std::string>;
  // Keeps the given paths (and the objects leading to them).
  static std::shared_ptr<const FieldMask> Keeping(const std::vector<Path>& paths);
  // Keeps everything except the given paths.
  static std::shared_ptr<const FieldMask> AllExcept(const std::vector<Path>& paths);

  bool Keep(const std::vector<std::string_view>& path, std::string_view key) const override;

 private:
  struct Prefixed;
  struct Node {
    bool leaf = false;  // the path ends here: its whole subtree is meant
    std::map<std::string, Node, std::less<>> exact;
    std::vector<Prefixed> prefixes;  // in the order given; the first match wins
    const Node* Child(std::string_view key) const;
  };
  // Not std::pair<std::string, Node>: a pair of the incomplete Node inside Node's own
  // definition does not compile with clang's type traits.
  struct Prefixed {
    std::string prefix;  // "limen.dev/*" → "limen.dev/"
    Node node;
  };
  FieldMask(bool keeping, const std::vector<Path>& paths);

  bool keeping_;
  Node root_;
};

// Parses `json`, applying `filter` (may be null: no filtering) to the object at
// `object_path` of the document (an array on the way applies it to each element: {"items"}
// for a list, {"object"} for a watch event). A discarded Object when `json` is not valid
// JSON.
Object ParseFiltered(std::string_view json, const FieldFilter* filter,
                     const std::vector<std::string>& object_path);

}  // namespace limen::kube
