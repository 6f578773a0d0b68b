#include "projection.h"

#include <string_view>

namespace limen::bench {
namespace {

using nlohmann::json;

void CopyIf(const json& from, json& to, const char* key) {
  auto it = from.find(key);
  if (it != from.end() && !it->is_null()) to[key] = *it;
}

json ProjectMetadata(const json& meta) {
  json out = json::object();
  if (!meta.is_object()) return out;
  for (const char* key : {"name", "namespace", "uid", "resourceVersion", "generation", "labels",
                          "ownerReferences", "deletionTimestamp"}) {
    CopyIf(meta, out, key);
  }
  auto annotations = meta.find("annotations");
  if (annotations != meta.end() && annotations->is_object()) {
    json kept = json::object();
    for (const auto& [k, v] : annotations->items()) {
      if (std::string_view(k).starts_with("limen.dev/")) kept[k] = v;
    }
    if (!kept.empty()) out["annotations"] = std::move(kept);
  }
  return out;
}

json ProjectStatus(const json& status) {
  json s = json::object();
  CopyIf(status, s, "phase");
  auto containers = status.find("containerStatuses");
  if (containers != status.end() && containers->is_array()) {
    json list = json::array();
    for (const auto& c : *containers) {
      if (!c.is_object()) continue;
      json kept = json::object();
      CopyIf(c, kept, "name");
      CopyIf(c, kept, "containerID");
      list.push_back(std::move(kept));
    }
    s["containerStatuses"] = std::move(list);
  }
  return s;
}

}  // namespace

json ProjectPod(const json& pod) {
  json out = json::object();
  if (!pod.is_object()) return out;
  CopyIf(pod, out, "apiVersion");
  CopyIf(pod, out, "kind");
  auto meta = pod.find("metadata");
  out["metadata"] = ProjectMetadata(meta != pod.end() ? *meta : json());
  auto spec = pod.find("spec");
  if (spec != pod.end() && spec->is_object()) {
    auto node = spec->find("nodeName");
    if (node != spec->end() && node->is_string()) out["spec"]["nodeName"] = *node;
  }
  auto status = pod.find("status");
  if (status != pod.end() && status->is_object()) {
    json s = ProjectStatus(*status);
    if (!s.empty()) out["status"] = std::move(s);
  }
  return out;
}

}  // namespace limen::bench
