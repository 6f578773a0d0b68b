#include "limen/kube/store.h"

#include <mutex>

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

Store::Store(std::map<std::string, IndexFunc> indexers) : indexers_(std::move(indexers)) {
  indexers_.emplace(kNamespaceIndex, NamespaceIndex);
}

ObjectPtr Store::Get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::List() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<std::string> Store::ListKeys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(key);
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
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  out.reserve(keys->second.size());
  for (const auto& key : keys->second) {
    if (auto it = items_.find(key); it != items_.end()) out.push_back(it->second);
  }
  return out;
}

size_t Store::Size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

void Store::IndexLocked(Indexes& indexes, const std::string& key, const Object& obj) const {
  for (const auto& [name, fn] : indexers_) {
    for (auto& value : fn(obj)) indexes[name][value].insert(key);
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

ObjectPtr Store::Upsert(const std::string& key, ObjectPtr obj) {
  std::unique_lock lock(mu_);
  ObjectPtr& slot = items_[key];
  ObjectPtr old = std::move(slot);
  if (old) UnindexLocked(indexes_, key, *old);
  IndexLocked(indexes_, key, *obj);
  slot = std::move(obj);
  return old;
}

ObjectPtr Store::Remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  items_.erase(it);
  UnindexLocked(indexes_, key, *old);
  return old;
}

Store::Items Store::Replace(Items items) {
  // Built without the lock: readers keep reading the old state meanwhile. Safe because
  // there is one writer, so nothing else changes items_ between here and the swap.
  Indexes indexes;
  for (const auto& [key, obj] : items) IndexLocked(indexes, key, *obj);
  std::unique_lock lock(mu_);
  items_.swap(items);
  indexes_.swap(indexes);
  return items;
}

}  // namespace limen::kube
