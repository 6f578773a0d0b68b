#include "common/pod_index.h"

#include <algorithm>
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
  auto add = [&s](std::string_view v) {
    s.chars_.append(v);
    s.ends_.push_back(static_cast<uint32_t>(s.chars_.size()));
  };
  const Object* labels = meta ? Child(*meta, "labels") : nullptr;
  const size_t label_count = labels && labels->is_object() ? labels->size() : 0;
  s.ends_.reserve(kFixedFields + 2 * label_count);
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
  s.chars_.shrink_to_fit();
  s.ends_.shrink_to_fit();
  s.has_controller_ = ctrl != nullptr;
  s.active_ = IsActivePod(pod);
  return s;
}

api::Labels PodSummary::Labels() const {
  api::Labels out;
  for (uint32_t i = kFixedFields; i + 1 < ends_.size(); i += 2) {
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

void PodIndex::Upsert(const Object& pod) {
  auto s = std::make_shared<const PodSummary>(PodSummary::Of(pod));
  std::unique_lock lock(mu_);
  RemoveLocked(std::string(s->ns()), s->name());
  by_ns_[std::string(s->ns())].emplace(s->name(), s);
  if (s->has_controller()) by_controller_[std::string(s->controller_uid())].push_back(s);
  if (!s->uid().empty()) by_uid_[s->uid()] = s;
}

void PodIndex::Remove(const Object& pod) {
  const PodSummary s = PodSummary::Of(pod);
  std::unique_lock lock(mu_);
  RemoveLocked(std::string(s.ns()), s.name());
}

void PodIndex::RemoveLocked(const std::string& ns, std::string_view name) {
  auto in_ns = by_ns_.find(ns);
  if (in_ns == by_ns_.end()) return;
  auto it = in_ns->second.find(name);
  if (it == in_ns->second.end()) return;
  const PodSummaryPtr old = it->second;  // keeps the viewed buffers alive until the end
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
