// Informer: a Watcher feeding a Store, with event handlers — client-go's
// SharedIndexInformer reduced to what Limen needs (no resync period, one informer per
// resource/namespace/selector).
//
// Flow: the Watcher's events are applied in order on the informer's thread:
//   kInit       → a new relist buffer is started aside;
//   kInitApply  → the object (after the transform) goes into that buffer;
//   kInitDone   → the buffer replaces the store atomically (Store::Replace); then handlers
//                 see OnAdd for new keys, OnUpdate(old, new) for keys whose
//                 resourceVersion changed, and OnDelete with a DeletedFinalStateUnknown
//                 tombstone for keys that vanished while the informer was not watching;
//                 HasSynced() becomes true after the first one;
//   kApply      → Upsert, then OnAdd or OnUpdate(old, new);
//   kDelete     → Remove, then OnDelete(last state).
// The kInit…kInitDone of a full sync come from a LIST or (WatcherConfig::watch_list) from a
// watch-list's initial events; the informer treats both alike.
//
// Handlers run synchronously on the informer thread, after the store has been updated:
// they must be quick and must not block (typically: enqueue a key in a WorkQueue). Unlike
// client-go there is no per-handler buffer; a slow handler delays the cache.
//
// The transform (e.g. DropManagedFields, or a caller's projection keeping only the fields
// it reads) is applied to every object before it is stored or handed to a handler, so a
// 10,000-Pod cache holds only what is needed. `watcher.field_filter` (field_filter.h) does
// the same while the list and watch responses are parsed, so that the dropped fields are
// never built at all; give both (the filter for speed and peak memory, the transform for
// what a mask cannot say). After each relist, freed heap is returned to the OS.
//
// Thread-safety: AddEventHandler before Run(). Run() starts one thread; Stop() joins it
// and may be called from any thread but the handlers'. store() and HasSynced() are safe
// from any thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "limen/kube/store.h"
#include "limen/kube/watcher.h"

namespace limen::kube {

// An object deleted while the informer was not watching: its final state is unknown and
// `object` is the last state the cache had (client-go's DeletedFinalStateUnknown).
struct DeletedFinalStateUnknown {
  std::string key;
  ObjectPtr object;
};

// What OnDelete receives: the deleted object as the watch reported it, or a tombstone.
using DeletedObject = std::variant<ObjectPtr, DeletedFinalStateUnknown>;
// The last known object of a DeletedObject, whichever it holds.
const ObjectPtr& LastKnown(const DeletedObject& deleted);

class ResourceEventHandler {
 public:
  virtual ~ResourceEventHandler() = default;
  // `in_initial_list`: the object arrived with the first full list.
  virtual void OnAdd(const ObjectPtr& obj, bool in_initial_list) = 0;
  virtual void OnUpdate(const ObjectPtr& old_obj, const ObjectPtr& new_obj) = 0;
  virtual void OnDelete(const DeletedObject& obj) = 0;
};

// Adapter from lambdas; unset functions are no-ops.
struct ResourceEventHandlerFuncs final : ResourceEventHandler {
  std::function<void(const ObjectPtr&, bool)> add;
  std::function<void(const ObjectPtr&, const ObjectPtr&)> update;
  std::function<void(const DeletedObject&)> del;

  void OnAdd(const ObjectPtr& obj, bool initial) override {
    if (add) add(obj, initial);
  }
  void OnUpdate(const ObjectPtr& o, const ObjectPtr& n) override {
    if (update) update(o, n);
  }
  void OnDelete(const DeletedObject& obj) override {
    if (del) del(obj);
  }
};

// Returns the object to store. Must be a pure function of its input.
using Transform = std::function<Object(Object)>;
// Drops metadata.managedFields (often half of an object's size) — client-go's
// TransformStripManagedFields.
Object DropManagedFields(Object obj);

struct InformerOptions {
  std::string ns;  // "" = all namespaces (or cluster-scoped)
  WatcherConfig watcher;
  Transform transform;  // none by default
  std::map<std::string, IndexFunc> indexers;
  // Keep the store's objects encoded and decode them on every read (StoreOptions::compact,
  // store.h): a fraction of the memory for caches that are big and read a few objects at a
  // time. Handlers still receive decoded objects.
  bool compact = false;
  // What the store keeps of each (transformed) object, when that is less than the handlers
  // need: handlers get the transformed object as OnAdd's object, OnUpdate's `new_obj` and a
  // watched delete's final state, and what the store retained as OnUpdate's `old_obj` and in
  // tombstones. For a caller that keeps its own index from the handlers (limen-operator's
  // PodIndex) and needs the store only for the informer's bookkeeping: keys and
  // resourceVersions. Must keep metadata.name, namespace and resourceVersion, and what the
  // indexers read. None by default: the store keeps the transformed object.
  Transform retain;
  // The store's built-in namespace index (StoreOptions::namespace_index).
  bool namespace_index = true;
};

class Informer {
 public:
  Informer(Client& client, Resource resource, InformerOptions options,
           Clock& clock = RealClock::Instance(),
           std::unique_ptr<BackoffStrategy> backoff = nullptr);
  ~Informer();  // Stop()s
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // REQUIRES: before Run().
  void AddEventHandler(std::shared_ptr<ResourceEventHandler> handler);

  void Run();   // starts the informer thread
  void Stop();  // stops the watcher and joins; idempotent

  const Store& store() const { return store_; }
  // True once the first complete list is in the store.
  bool HasSynced() const { return synced_.load(); }
  // Waits up to `timeout` (real time) for HasSynced().
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  std::string LastSyncResourceVersion() const { return watcher_.LastResourceVersion(); }

  // Applies one watcher event: what the informer thread does. Exposed for tests that
  // drive an informer without a Watcher. REQUIRES: not running.
  void Handle(WatcherEvent&& ev);

 private:
  ObjectPtr Prepare(Object obj) const;
  ObjectPtr Retained(const ObjectPtr& obj) const;  // options_.retain of obj, or obj
  void FinishRelist();

  // Constant after construction (handlers_ until Run()).
  const InformerOptions options_;
  std::vector<std::shared_ptr<ResourceEventHandler>> handlers_;

  Store store_;
  Watcher watcher_;
  std::thread thread_;

  // Informer thread only: the relist buffer, built aside until kInitDone.
  std::optional<Store::Items> relist_;

  std::atomic<bool> synced_{false};
  mutable std::mutex sync_mu_;
  mutable std::condition_variable sync_cv_;
};

}  // namespace limen::kube
