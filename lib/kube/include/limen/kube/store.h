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
// Thread-safety: one writer (the informer thread) and any number of readers. Reads take a
// shared lock, writes an exclusive one. Replace() builds the new contents and indexes
// aside, without the lock, and swaps them in atomically: a reader sees either the whole old
// state or the whole new one, never a half-applied relist.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube {

using ObjectPtr = std::shared_ptr<const Object>;
using IndexFunc = std::function<std::vector<std::string>(const Object&)>;

inline constexpr const char kNamespaceIndex[] = "namespace";

// "namespace/name", or "name" for cluster-scoped objects; "" if the object has no name.
std::string ObjectKey(const Object& obj);
// metadata.resourceVersion, or "".
std::string ObjectResourceVersion(const Object& obj);

class Store {
 public:
  using Items = std::unordered_map<std::string, ObjectPtr>;

  // `indexers` are added to the built-in namespace index. Index names must be unique.
  explicit Store(std::map<std::string, IndexFunc> indexers = {});
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
  // index name → index value → keys.
  using Indexes =
      std::unordered_map<std::string,
                         std::unordered_map<std::string, std::unordered_set<std::string>>>;

  void IndexLocked(Indexes& indexes, const std::string& key, const Object& obj) const;
  void UnindexLocked(Indexes& indexes, const std::string& key, const Object& obj) const;

  // Constant after construction.
  std::map<std::string, IndexFunc> indexers_;

  mutable std::shared_mutex mu_;
  Items items_;      // guarded by mu_
  Indexes indexes_;  // guarded by mu_
};

}  // namespace limen::kube
