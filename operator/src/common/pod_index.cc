#include "common/pod_index.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <mutex>

#include "limen/api/well_known.h"

namespace limen::op {
namespace {

const Object* Child(const Object& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string_view StringOr(const Object* obj, const char* key) {
  const Object* v = obj ? Child(*obj, key) : nullptr;
  return v && v->is_string() ? std::string_view(v->get_ref<const std::string&>())
                             : std::string_view();
}

const Object* ControllerRefOf(const Object* meta) {
  const Object* refs = meta ? Child(*meta, "ownerReferences") : nullptr;
  if (!refs || !refs->is_array()) return nullptr;
  for (const auto& ref : *refs) {
    const Object* c = Child(ref, "controller");
    if (c && c->is_boolean() && c->get<bool>()) return &ref;
  }
  return nullptr;
}

// Strings that repeat across Pods (label keys, namespaces, owner apiVersions and kinds), kept
// once for the process. Entries never move or go away; at most kChunks × kChunkSize strings of
// at most kMaxLength bytes are kept (beyond, a summary holds the string itself), so a stream of
// distinct label keys cannot grow the table without bound.
//
// Thread-safety: Intern from any thread (a mutex). Get needs no lock: an id is read only from a
// summary, which was built after the id was written, and reached its reader through a lock
// (PodIndex's, or Intern's own) — as compact::KeyTable in lib/kube.
class SharedStrings {
 public:
  static constexpr size_t kChunkSize = 256, kChunks = 16, kMaxLength = 96;

  static SharedStrings& Instance() {
    static SharedStrings* table = new SharedStrings();  // never destroyed: summaries may outlive
    return *table;
  }
  std::optional<uint16_t> Intern(std::string_view s) {
    if (s.size() > kMaxLength) return std::nullopt;
    std::lock_guard lock(mu_);
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
    if (size_ == kChunkSize * kChunks) return std::nullopt;
    auto& chunk = chunks_[size_ / kChunkSize];
    if (!chunk) chunk = std::make_unique<std::string[]>(kChunkSize);
    std::string& slot = chunk[size_ % kChunkSize];
    slot = s;
    const auto id = static_cast<uint16_t>(size_++);
    ids_.emplace(slot, id);
    return id;
  }
  std::string_view Get(uint16_t id) const { return chunks_[id / kChunkSize][id % kChunkSize]; }

 private:
  std::mutex mu_;
  std::array<std::unique_ptr<std::string[]>, kChunks> chunks_;
  size_t size_ = 0;                                     // guarded by mu_
  std::unordered_map<std::string_view, uint16_t> ids_;  // guarded by mu_; views into chunks_
};

constexpr char kSharedTag = 0, kInlineTag = 1;

std::string Key(std::string_view ns, std::string_view name) {
  std::string key(ns);
  key += '/';
  key += name;
  return key;
}

}  // namespace

PodSummary PodSummary::Of(const Object& pod) {
  PodSummary s;
  const Object* meta = Child(pod, "metadata");
  const Object* annotations = meta ? Child(*meta, "annotations") : nullptr;
  const Object* ctrl = ControllerRefOf(meta);
  const Object* spec = Child(pod, "spec");
  const Object* labels = meta ? Child(*meta, "labels") : nullptr;
  const size_t label_count = labels && labels->is_object() ? labels->size() : 0;
  std::string bytes;
  std::vector<uint32_t> ends;
  ends.reserve(kFixedFields + 2 * label_count);
  auto add = [&](std::string_view v) {
    if (Shareable(static_cast<uint32_t>(ends.size()))) {
      if (const std::optional<uint16_t> id = SharedStrings::Instance().Intern(v)) {
        bytes += kSharedTag;
        bytes.append(reinterpret_cast<const char*>(&*id), sizeof *id);
      } else {
        bytes += kInlineTag;
        bytes.append(v);
      }
    } else {
      bytes.append(v);
    }
    ends.push_back(static_cast<uint32_t>(bytes.size()));
  };
  add(StringOr(meta, "namespace"));
  add(StringOr(meta, "name"));
  add(StringOr(meta, "uid"));
  add(StringOr(spec, "nodeName"));
  add(StringOr(annotations, std::string(api::kAnnotationInjected).c_str()));
  add(StringOr(ctrl, "apiVersion"));
  add(StringOr(ctrl, "kind"));
  add(StringOr(ctrl, "name"));
  add(StringOr(ctrl, "uid"));
  if (label_count > 0) {
    for (const auto& [k, v] : labels->items()) {
      if (!v.is_string()) continue;
      add(k);
      add(v.get_ref<const std::string&>());
    }
  }
  s.fields_ = static_cast<uint32_t>(ends.size());
  s.wide_ = bytes.size() > std::numeric_limits<uint16_t>::max();
  s.data_.reserve(ends.size() * s.OffsetSize() + bytes.size());
  if (s.wide_) {
    s.data_.append(reinterpret_cast<const char*>(ends.data()), ends.size() * sizeof(uint32_t));
  } else {
    for (const uint32_t end : ends) {
      const auto narrow = static_cast<uint16_t>(end);
      s.data_.append(reinterpret_cast<const char*>(&narrow), sizeof narrow);
    }
  }
  s.data_.append(bytes);
  s.has_controller_ = ctrl != nullptr;
  s.active_ = IsActivePod(pod);
  const Object* deleting = meta ? Child(*meta, "deletionTimestamp") : nullptr;
  s.being_deleted_ = deleting && !deleting->is_null();
  return s;
}

uint32_t PodSummary::End(uint32_t i) const {
  if (wide_) {
    uint32_t end = 0;
    std::memcpy(&end, data_.data() + i * sizeof end, sizeof end);
    return end;
  }
  uint16_t end = 0;
  std::memcpy(&end, data_.data() + i * sizeof end, sizeof end);
  return end;
}

std::string_view PodSummary::Stored(uint32_t i) const {
  const uint32_t begin = i > 0 ? End(i - 1) : 0;
  return std::string_view(data_).substr(fields_ * OffsetSize() + begin, End(i) - begin);
}

std::string_view PodSummary::Field(uint32_t i) const {
  const std::string_view stored = Stored(i);
  if (!Shareable(i)) return stored;
  if (stored[0] == kInlineTag) return stored.substr(1);
  uint16_t id = 0;
  std::memcpy(&id, stored.data() + 1, sizeof id);
  return SharedStrings::Instance().Get(id);
}

api::Labels PodSummary::Labels() const {
  api::Labels out;
  for (uint32_t i = kFixedFields; i + 1 < fields_; i += 2) {
    out.emplace_hint(out.end(), Field(i), Field(i + 1));  // stored in the DOM's sorted order
  }
  return out;
}

std::optional<WorkloadId> ResolveOwnerOf(const PodSummary& pod,
                                         const ReplicaSetLookup& replicaset) {
  const std::string ns(pod.ns());
  if (!pod.has_controller())
    return WorkloadId{ns, "Pod", std::string(pod.name()), std::string(pod.uid())};
  if (pod.controller_api_version() != "apps/v1") return std::nullopt;
  const std::string_view kind = pod.controller_kind();
  if (kind == "StatefulSet" || kind == "DaemonSet") {
    return WorkloadId{ns, std::string(kind), std::string(pod.controller_name()),
                      std::string(pod.controller_uid())};
  }
  if (kind != "ReplicaSet" || !replicaset) return std::nullopt;
  auto rs = replicaset(Key(ns, pod.controller_name()));
  if (!rs || rs->uid != pod.controller_uid()) return std::nullopt;
  return rs->workload;
}

PodChange PodIndex::Upsert(const Object& pod) {
  auto s = std::make_shared<const PodSummary>(PodSummary::Of(pod));
  std::unique_lock lock(mu_);
  PodChange change{RemoveLocked(std::string(s->ns()), s->name()), s};
  by_ns_[std::string(s->ns())].emplace(s->name(), s);
  if (s->has_controller()) by_controller_[std::string(s->controller_uid())].push_back(s);
  if (!s->uid().empty()) by_uid_[s->uid()] = s;
  return change;
}

PodChange PodIndex::Remove(const Object& pod) {
  const Object* meta = Child(pod, "metadata");
  const std::string ns(StringOr(meta, "namespace"));
  std::unique_lock lock(mu_);
  return {RemoveLocked(ns, StringOr(meta, "name")), nullptr};
}

PodSummaryPtr PodIndex::RemoveLocked(const std::string& ns, std::string_view name) {
  auto in_ns = by_ns_.find(ns);
  if (in_ns == by_ns_.end()) return nullptr;
  auto it = in_ns->second.find(name);
  if (it == in_ns->second.end()) return nullptr;
  PodSummaryPtr old = it->second;  // keeps the viewed buffers alive until the end
  in_ns->second.erase(it);
  if (in_ns->second.empty()) by_ns_.erase(in_ns);
  if (old->has_controller()) {
    auto c = by_controller_.find(std::string(old->controller_uid()));
    if (c != by_controller_.end()) {
      std::erase(c->second, old);
      if (c->second.empty()) by_controller_.erase(c);
    }
  }
  auto u = by_uid_.find(old->uid());
  if (u != by_uid_.end() && u->second == old) by_uid_.erase(u);
  return old;
}

PodSummaryPtr PodIndex::Get(const std::string& ns, const std::string& name) const {
  std::shared_lock lock(mu_);
  auto in_ns = by_ns_.find(ns);
  if (in_ns == by_ns_.end()) return nullptr;
  auto it = in_ns->second.find(name);
  return it == in_ns->second.end() ? nullptr : it->second;
}

std::vector<PodSummaryPtr> PodIndex::InNamespace(const std::string& ns) const {
  std::vector<PodSummaryPtr> out;
  std::shared_lock lock(mu_);
  auto in_ns = by_ns_.find(ns);
  if (in_ns == by_ns_.end()) return out;
  out.reserve(in_ns->second.size());
  for (const auto& [name, pod] : in_ns->second) out.push_back(pod);
  return out;
}

std::vector<PodSummaryPtr> PodIndex::ByController(const std::string& uid) const {
  std::shared_lock lock(mu_);
  auto it = by_controller_.find(uid);
  return it == by_controller_.end() ? std::vector<PodSummaryPtr>{} : it->second;
}

PodSummaryPtr PodIndex::ByUid(const std::string& uid) const {
  std::shared_lock lock(mu_);
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? nullptr : it->second;
}

std::vector<PodSummaryPtr> PodIndex::All() const {
  std::vector<PodSummaryPtr> out;
  std::shared_lock lock(mu_);
  for (const auto& [ns, pods] : by_ns_) {
    for (const auto& [name, pod] : pods) out.push_back(pod);
  }
  return out;
}

size_t PodIndex::Size() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [ns, pods] : by_ns_) n += pods.size();
  return n;
}

void ReplicaSetIndex::Upsert(const Object& rs) {
  ReplicaSetSummary s{std::string(StringOr(Child(rs, "metadata"), "uid")), ResolveReplicaSet(rs)};
  std::string key = kube::ObjectKey(rs);
  std::unique_lock lock(mu_);
  by_key_.insert_or_assign(std::move(key), std::move(s));
}

void ReplicaSetIndex::Remove(const Object& rs) {
  const std::string key = kube::ObjectKey(rs);
  std::unique_lock lock(mu_);
  by_key_.erase(key);
}

std::optional<ReplicaSetSummary> ReplicaSetIndex::Get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

size_t ReplicaSetIndex::Size() const {
  std::shared_lock lock(mu_);
  return by_key_.size();
}

}  // namespace limen::op
