#include "common/transform.h"

#include <string_view>

#include "limen/kube/informer.h"

namespace limen::op {
namespace {

using kube::Object;

void CopyIf(const Object& from, Object& to, const char* key) {
  auto it = from.find(key);
  if (it != from.end() && !it->is_null()) to[key] = *it;
}

Object ProjectMetadata(const Object& meta) {
  Object out = Object::object();
  if (!meta.is_object()) return out;
  for (const char* key : {"name", "namespace", "uid", "resourceVersion", "generation", "labels",
                          "ownerReferences", "deletionTimestamp"}) {
    CopyIf(meta, out, key);
  }
  auto annotations = meta.find("annotations");
  if (annotations != meta.end() && annotations->is_object()) {
    Object kept = Object::object();
    for (const auto& [k, v] : annotations->items()) {
      if (std::string_view(k).starts_with("limen.dev/")) kept[k] = v;
    }
    if (!kept.empty()) out["annotations"] = std::move(kept);
  }
  return out;
}

Object Skeleton(const Object& obj) {
  Object out = Object::object();
  if (!obj.is_object()) return out;
  CopyIf(obj, out, "apiVersion");
  CopyIf(obj, out, "kind");
  auto meta = obj.find("metadata");
  out["metadata"] = ProjectMetadata(meta != obj.end() ? *meta : Object());
  return out;
}

}  // namespace

Object ProjectPod(Object pod) {
  Object out = Skeleton(pod);
  if (!pod.is_object()) return out;
  auto spec = pod.find("spec");
  if (spec != pod.end() && spec->is_object()) {
    auto node = spec->find("nodeName");
    if (node != spec->end() && node->is_string()) out["spec"]["nodeName"] = *node;
  }
  auto status = pod.find("status");
  if (status != pod.end() && status->is_object()) {
    auto phase = status->find("phase");
    if (phase != status->end() && !phase->is_null()) out["status"]["phase"] = *phase;
  }
  return out;
}

Object RetainKey(const Object& obj) {
  Object meta = Object::object();
  auto from = obj.find("metadata");
  if (from != obj.end() && from->is_object()) {
    for (const char* key : {"name", "namespace", "resourceVersion"}) CopyIf(*from, meta, key);
  }
  return Object{{"metadata", std::move(meta)}};
}

Object RetainNodeProbeState(const Object& nps) {
  if (!nps.is_object()) return nps;
  Object out = Object::object();
  for (const auto& [key, value] : nps.items()) {
    if (key != "status" || !value.is_object()) {
      out[key] = value;
      continue;
    }
    Object& status = out[key] = Object::object();
    for (const auto& [field, v] : value.items()) {
      if (field != "pods") status[field] = v;  // not copied only to be dropped
    }
  }
  return out;
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): every projection is a kube::Transform
Object ProjectOwner(Object obj) { return Skeleton(obj); }

Object ProjectLimen(Object obj) { return kube::DropManagedFields(std::move(obj)); }

Object ProjectConfigMapSource(Object obj) {
  Object out = Object::object();
  if (!obj.is_object()) return out;
  CopyIf(obj, out, "apiVersion");
  CopyIf(obj, out, "kind");
  Object meta = Object::object();
  auto from = obj.find("metadata");
  if (from != obj.end() && from->is_object()) {
    for (const char* key : {"name", "namespace", "uid", "resourceVersion", "deletionTimestamp"}) {
      CopyIf(*from, meta, key);
    }
  }
  out["metadata"] = std::move(meta);
  return out;
}

namespace {

// Kept by every projection (the field filter always keeps apiVersion, kind, metadata.{name,
// namespace, uid, resourceVersion, deletionTimestamp} itself).
const std::vector<kube::FieldMask::Path> kMetadataPaths = {
    {"metadata", "generation"},
    {"metadata", "labels"},
    {"metadata", "ownerReferences"},
    {"metadata", "annotations", "limen.dev/*"}};

std::vector<kube::FieldMask::Path> With(std::vector<kube::FieldMask::Path> more) {
  more.insert(more.end(), kMetadataPaths.begin(), kMetadataPaths.end());
  return more;
}

}  // namespace

std::shared_ptr<const kube::FieldFilter> PodFields() {
  static const auto mask =
      kube::FieldMask::Keeping(With({{"spec", "nodeName"}, {"status", "phase"}}));
  return mask;
}

std::shared_ptr<const kube::FieldFilter> OwnerFields() {
  static const auto mask = kube::FieldMask::Keeping(With({}));
  return mask;
}

std::shared_ptr<const kube::FieldFilter> LimenFields() {
  static const auto mask = kube::FieldMask::AllExcept({{"metadata", "managedFields"}});
  return mask;
}

std::shared_ptr<const kube::FieldFilter> ConfigMapSourceFields() {
  static const auto mask = kube::FieldMask::Keeping({});
  return mask;
}

bool SameExceptResourceVersion(const Object& a, const Object& b) {
  if (!a.is_object() || !b.is_object()) return a == b;
  auto strip = [](const Object& o) {
    Object c = o;
    auto meta = c.find("metadata");
    if (meta != c.end() && meta->is_object()) meta->erase("resourceVersion");
    return c;
  };
  return strip(a) == strip(b);
}

}  // namespace limen::op
