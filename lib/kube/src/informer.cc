#include "limen/kube/informer.h"

#include <spdlog/spdlog.h>

namespace limen::kube {

const ObjectPtr& LastKnown(const DeletedObject& deleted) {
  if (auto* tombstone = std::get_if<DeletedFinalStateUnknown>(&deleted)) return tombstone->object;
  return std::get<ObjectPtr>(deleted);
}

Object DropManagedFields(Object obj) {
  if (auto meta = obj.find("metadata"); meta != obj.end() && meta->is_object())
    meta->erase("managedFields");
  return obj;
}

Informer::Informer(Client& client, Resource resource, InformerOptions options, Clock& clock,
                   std::unique_ptr<BackoffStrategy> backoff)
    : options_(std::move(options)),
      store_(options_.indexers, StoreOptions{.compact = options_.compact,
                                             .namespace_index = options_.namespace_index}),
      watcher_(client, std::move(resource), options_.ns, options_.watcher, clock,
               std::move(backoff)) {}

Informer::~Informer() { Stop(); }

void Informer::AddEventHandler(std::shared_ptr<ResourceEventHandler> handler) {
  handlers_.push_back(std::move(handler));
}

void Informer::Run() {
  thread_ =
      std::thread([this] { watcher_.Run([this](WatcherEvent&& ev) { Handle(std::move(ev)); }); });
}

void Informer::Stop() {
  watcher_.Stop();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(sync_mu_);
  return sync_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

ObjectPtr Informer::Prepare(Object obj) const {
  if (options_.transform) obj = options_.transform(std::move(obj));
  return std::make_shared<const Object>(std::move(obj));
}

ObjectPtr Informer::Retained(const ObjectPtr& obj) const {
  if (!options_.retain) return obj;
  return std::make_shared<const Object>(options_.retain(*obj));
}

void Informer::Handle(WatcherEvent&& ev) {
  using T = WatcherEvent::Type;
  switch (ev.type) {
    case T::kInit: relist_.emplace(); return;
    case T::kInitApply: {
      if (!relist_) relist_.emplace();
      std::string key = ObjectKey(ev.object);
      if (!key.empty()) (*relist_)[std::move(key)] = Prepare(std::move(ev.object));
      return;
    }
    case T::kInitDone: FinishRelist(); return;
    case T::kApply: {
      std::string key = ObjectKey(ev.object);
      if (key.empty()) return;
      ObjectPtr obj = Prepare(std::move(ev.object));
      ObjectPtr old = store_.Upsert(key, Retained(obj));
      for (auto& h : handlers_) old ? h->OnUpdate(old, obj) : h->OnAdd(obj, false);
      return;
    }
    case T::kDelete: {
      std::string key = ObjectKey(ev.object);
      if (key.empty()) return;
      store_.Remove(key);
      DeletedObject deleted{Prepare(std::move(ev.object))};
      for (auto& h : handlers_) h->OnDelete(deleted);
      return;
    }
  }
}

void Informer::FinishRelist() {
  if (!relist_) return;
  Store::Items fresh = std::move(*relist_);
  relist_.reset();
  const bool initial = !synced_.load();
  // The store gets a copy of the map of pointers (not of objects), or of what it retains: the
  // handlers below need `fresh`.
  Store::Items kept;
  if (options_.retain) {
    kept.reserve(fresh.size());
    for (const auto& [key, obj] : fresh) kept.emplace(key, Retained(obj));
  } else {
    kept = fresh;
  }
  Store::Items old = store_.Replace(std::move(kept));
  for (const auto& [key, obj] : fresh) {
    auto it = old.find(key);
    if (it == old.end()) {
      for (auto& h : handlers_) h->OnAdd(obj, initial);
    } else {
      if (ObjectResourceVersion(*it->second) != ObjectResourceVersion(*obj)) {
        for (auto& h : handlers_) h->OnUpdate(it->second, obj);
      }
      old.erase(it);
    }
  }
  for (auto& [key, obj] : old) {
    DeletedObject tombstone{DeletedFinalStateUnknown{key, obj}};
    for (auto& h : handlers_) h->OnDelete(tombstone);
  }

  if (initial) {
    {
      std::lock_guard lock(sync_mu_);
      synced_ = true;
    }
    sync_cv_.notify_all();
    spdlog::debug("informer synced: {} objects", fresh.size());
  }
}

}  // namespace limen::kube
