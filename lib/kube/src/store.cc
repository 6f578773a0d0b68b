#include "limen/kube/store.h"

#include "compact_codec.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace limen::kube {
namespace {

std::string MetadataString(const Object& obj, const char* field) {
  if (!obj.is_object()) return "";
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<std::string> NamespaceIndex(const Object& obj) {
  return {MetadataString(obj, "namespace")};
}

}  // namespace

std::string ObjectKey(const Object& obj) {
  std::string name = MetadataString(obj, "name");
  if (name.empty()) return "";
  std::string ns = MetadataString(obj, "namespace");
  return ns.empty() ? name : ns + "/" + name;
}

std::string ObjectResourceVersion(const Object& obj) {
  return MetadataString(obj, "resourceVersion");
}

Store::Store(std::map<std::string, IndexFunc> indexers, StoreOptions options)
    : indexers_(std::move(indexers)),
      keys_(options.compact ? std::make_unique<compact::KeyTable>() : nullptr) {
  if (options.namespace_index) indexers_.emplace(kNamespaceIndex, NamespaceIndex);
}

Store::~Store() = default;

Store::Slot Store::Pack(ObjectPtr obj) {
  if (!keys_) return Slot{std::move(obj), nullptr, 0};
  scratch_.clear();
  compact::Encode(*obj, *keys_, scratch_);
  // One exact-size allocation for the bytes and the control block together.
  auto encoded = std::make_shared_for_overwrite<uint8_t[]>(scratch_.size());
  std::copy(scratch_.begin(), scratch_.end(), encoded.get());
  return Slot{nullptr, std::move(encoded), static_cast<uint32_t>(scratch_.size())};
}

ObjectPtr Store::Unpack(const Slot& slot) const {
  if (!slot.encoded) return slot.object;
  return std::make_shared<const Object>(compact::Decode(slot.encoded.get(), slot.size, *keys_));
}

std::vector<ObjectPtr> Store::UnpackAll(const std::vector<Slot>& slots) const {
  std::vector<ObjectPtr> out;
  out.reserve(slots.size());
  for (const auto& slot : slots) out.push_back(Unpack(slot));
  return out;
}

// Readers copy slots under the shared lock (a pointer copy) and decode after releasing it,
// so a reader decoding many objects never holds the writer up.

ObjectPtr Store::Get(const std::string& key) const {
  Slot slot;
  {
    std::shared_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    slot = it->second;
  }
  return Unpack(slot);
}

std::vector<ObjectPtr> Store::List() const {
  std::vector<Slot> slots;
  {
    std::shared_lock lock(mu_);
    slots.reserve(items_.size());
    for (const auto& [key, slot] : items_) slots.push_back(slot);
  }
  return UnpackAll(slots);
}

std::vector<std::string> Store::ListKeys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, slot] : items_) out.push_back(key);
  return out;
}

std::vector<std::string> Store::IndexKeys(const std::string& index,
                                          const std::string& value) const {
  std::shared_lock lock(mu_);
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return {};
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return {};
  return {keys->second.begin(), keys->second.end()};
}

std::vector<ObjectPtr> Store::ByIndex(const std::string& index, const std::string& value) const {
  std::vector<Slot> slots;
  {
    std::shared_lock lock(mu_);
    auto idx = indexes_.find(index);
    if (idx == indexes_.end()) return {};
    auto keys = idx->second.find(value);
    if (keys == idx->second.end()) return {};
    slots.reserve(keys->second.size());
    for (const auto& key : keys->second) {
      if (auto it = items_.find(key); it != items_.end()) slots.push_back(it->second);
    }
  }
  return UnpackAll(slots);
}

size_t Store::Size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

void Store::IndexLocked(Indexes& indexes, std::string_view stored_key, const Object& obj) const {
  for (const auto& [name, fn] : indexers_) {
    for (auto& value : fn(obj)) indexes[name][value].insert(stored_key);
  }
}

void Store::UnindexLocked(Indexes& indexes, const std::string& key, const Object& obj) const {
  for (const auto& [name, fn] : indexers_) {
    auto& index = indexes[name];
    for (const auto& value : fn(obj)) {
      auto it = index.find(value);
      if (it == index.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.erase(it);  // keep the index from growing without bound
    }
  }
}

// The writers encode and decode outside the exclusive lock. They read items_ without it:
// there is one writer, so nothing else changes items_ meanwhile.

// NOLINTNEXTLINE(performance-unnecessary-value-param): the interface hands over ownership
ObjectPtr Store::Upsert(const std::string& key, ObjectPtr obj) {
  Slot fresh = Pack(obj);
  auto found = items_.find(key);
  ObjectPtr old = found == items_.end() ? nullptr : Unpack(found->second);
  std::unique_lock lock(mu_);
  if (old) UnindexLocked(indexes_, key, *old);
  auto it = items_.insert_or_assign(key, std::move(fresh)).first;
  IndexLocked(indexes_, it->first, *obj);
  return old;
}

ObjectPtr Store::Remove(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr old = Unpack(it->second);
  std::unique_lock lock(mu_);
  UnindexLocked(indexes_, key, *old);  // first: the index views the key erase frees
  items_.erase(it);
  return old;
}

Store::Items Store::Replace(Items items) {
  // Built without the lock: readers keep reading the old state meanwhile.
  Indexes indexes;
  Slots slots;
  slots.reserve(items.size());
  for (auto& [key, obj] : items) {
    auto it = slots.try_emplace(key).first;
    IndexLocked(indexes, it->first, *obj);
    it->second = Pack(std::move(obj));
  }
  items.clear();
  {
    std::unique_lock lock(mu_);
    items_.swap(slots);
    indexes_.swap(indexes);
  }
  for (auto& [key, slot] : slots) items.emplace(key, Unpack(slot));
  return items;
}

}  // namespace limen::kube
