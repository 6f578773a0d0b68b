// Store: the informer's cache — objects by key ("namespace/name", or "name" when
// cluster-scoped, as client-go's MetaNamespaceKeyFunc) with secondary indexes
// (client-go's Indexer; kube-rs kube-runtime/src/reflector/store.rs).
//
// Objects are held as shared_ptr<const Object>: a reader gets a snapshot it may keep for
// as long as it likes while the writer moves on, and nobody copies JSON to read it.
//
// Indexes: "namespace" is built in (value = metadata.namespace; "" for cluster-scoped);
// callers add named IndexFuncs (one object → any number of index values).
//
// Compact mode (StoreOptions::compact): each object is held as an immutable binary encoding
// (src/compact_codec.h: MessagePack-like, object keys interned per store) instead of the
// nlohmann DOM (whose std::map nodes and heap strings cost several
// times the object's JSON size), and every read decodes it afresh: Get/List/ByIndex return a
// new ObjectPtr per call, which the reader owns alone. Indexes are computed at insert from
// the decoded object; Upsert/Remove/Replace return decoded previous objects as in plain mode.
// For big caches that are read a few objects at a time (Pods): the cost is a decode per
// object read (a few microseconds for a projected Pod; bench/kube/store_footprint.cc).
// Readers that recognise objects by address (a weak_ptr cache) get a new address per read.
//
// Thread-safety: one writer (the informer thread) and any number of readers. Reads take a
// shared lock, writes an exclusive one. Replace() builds the new contents and indexes
// aside, without the lock, and swaps them in atomically: a reader sees either the whole old
// state or the whole new one, never a half-applied relist.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube {
namespace compact {
class KeyTable;
}

using ObjectPtr = std::shared_ptr<const Object>;
using IndexFunc = std::function<std::vector<std::string>(const Object&)>;

inline constexpr const char kNamespaceIndex[] = "namespace";

// "namespace/name", or "name" for cluster-scoped objects; "" if the object has no name.
std::string ObjectKey(const Object& obj);
// metadata.resourceVersion, or "".
std::string ObjectResourceVersion(const Object& obj);

struct StoreOptions {
  bool compact = false;  // hold objects encoded, decode on read (see above)
  // The built-in namespace index (kNamespaceIndex). A store nobody reads by namespace (its
  // owner keeps its own index from the informer's handlers) saves ≈ 60 B per object without.
  bool namespace_index = true;
};

class Store {
 public:
  using Items = std::unordered_map<std::string, ObjectPtr>;

  // `indexers` are added to the built-in namespace index (unless options.namespace_index is
  // false). Index names must be unique.
  explicit Store(std::map<std::string, IndexFunc> indexers = {}, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Readers.
  ObjectPtr Get(const std::string& key) const;  // nullptr if absent
  std::vector<ObjectPtr> List() const;
  std::vector<std::string> ListKeys() const;
  // Objects whose index `index` yields `value`; empty if the index does not exist.
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  std::vector<std::string> IndexKeys(const std::string& index, const std::string& value) const;
  size_t Size() const;

  // Writer. Each returns the previous object under that key (nullptr if none).
  ObjectPtr Upsert(const std::string& key, ObjectPtr obj);
  ObjectPtr Remove(const std::string& key);
  // Replaces everything; returns the previous contents (for the caller's diff).
  Items Replace(Items items);

 private:
  // One stored object: `object` in plain mode; in compact mode its encoding (`encoded`, shared so
  // that a reader can copy them under the lock and decode after).
  struct Slot {
    ObjectPtr object;
    std::shared_ptr<const uint8_t[]> encoded;
    uint32_t size = 0;
  };
  struct KeyHash {  // finds by string_view (the indexes' keys) without a copy
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  using Slots = std::unordered_map<std::string, Slot, KeyHash, std::equal_to<>>;
  // index name → index value → keys. The keys view the keys of the items' map (whose nodes
  // never move): an object is indexed once inserted and unindexed before it is erased.
  using Indexes =
      std::unordered_map<std::string,
                         std::unordered_map<std::string, std::unordered_set<std::string_view>>>;

  Slot Pack(ObjectPtr obj);  // writer only
  ObjectPtr Unpack(const Slot& slot) const;
  std::vector<ObjectPtr> UnpackAll(const std::vector<Slot>& slots) const;
  // `stored_key`: the key as the items' map holds it (the index keeps a view of it).
  void IndexLocked(Indexes& indexes, std::string_view stored_key, const Object& obj) const;
  void UnindexLocked(Indexes& indexes, const std::string& key, const Object& obj) const;

  // Constant after construction.
  std::map<std::string, IndexFunc> indexers_;
  // Compact mode: the interned keys (their own thread-safety, compact_codec.h; null in plain
  // mode, which is how the store knows its mode) and the writer's encoding buffer.
  const std::unique_ptr<compact::KeyTable> keys_;
  std::vector<uint8_t> scratch_;  // writer only

  mutable std::shared_mutex mu_;
  Slots items_;      // guarded by mu_
  Indexes indexes_;  // guarded by mu_
};

}  // namespace limen::kube
