#include "common/workload.h"

#include <algorithm>
#include <cctype>

#include "limen/api/well_known.h"

namespace limen::op {
namespace {

const Object* Field(const Object& obj, const char* a, const char* b = nullptr) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(a);
  if (it == obj.end()) return nullptr;
  if (b == nullptr) return &*it;
  if (!it->is_object()) return nullptr;
  auto jt = it->find(b);
  return jt == it->end() ? nullptr : &*jt;
}

std::string StringAt(const Object& obj, const char* a, const char* b = nullptr) {
  const Object* f = Field(obj, a, b);
  return f && f->is_string() ? f->get<std::string>() : "";
}

// The ownerReference with controller: true, or nullptr.
const Object* ControllerRef(const Object& obj) {
  const Object* refs = Field(obj, "metadata", "ownerReferences");
  if (!refs || !refs->is_array()) return nullptr;
  for (const auto& ref : *refs) {
    auto c = ref.find("controller");
    if (c != ref.end() && c->is_boolean() && c->get<bool>()) return &ref;
  }
  return nullptr;
}

std::string Str(const Object& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

}  // namespace

std::string WorkloadApiVersion(const std::string& kind) { return kind == "Pod" ? "v1" : "apps/v1"; }

std::string KindFromLowerCase(const std::string& lower) {
  for (const char* kind : {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"}) {
    std::string l(kind);
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    if (l == lower) return kind;
  }
  return "";
}

std::string WorkloadKey(const WorkloadId& id) {
  return id.ns + "/" + api::InstrumentedWorkloadName(id.kind, id.name);
}

std::optional<WorkloadId> ParseWorkloadKey(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const std::string name = key.substr(slash + 1);
  // Kinds contain no '-', names may: the kind ends at the first one.
  const auto dash = name.find('-');
  if (dash == std::string::npos || dash + 1 == name.size()) return std::nullopt;
  std::string kind = KindFromLowerCase(name.substr(0, dash));
  if (kind.empty()) return std::nullopt;
  return WorkloadId{key.substr(0, slash), std::move(kind), name.substr(dash + 1), ""};
}

std::string ControllerUid(const Object& obj) {
  const Object* ref = ControllerRef(obj);
  return ref ? Str(*ref, "uid") : "";
}

std::vector<std::string> IndexByControllerUid(const Object& obj) {
  std::string uid = ControllerUid(obj);
  if (uid.empty()) return {};
  return {std::move(uid)};
}

std::vector<std::string> IndexByNode(const Object& pod) {
  std::string node = StringAt(pod, "spec", "nodeName");
  if (node.empty()) return {};
  return {std::move(node)};
}

std::vector<std::string> IndexByUid(const Object& obj) {
  std::string uid = StringAt(obj, "metadata", "uid");
  if (uid.empty()) return {};
  return {std::move(uid)};
}

WorkloadId ResolveReplicaSet(const Object& rs) {
  const std::string ns = StringAt(rs, "metadata", "namespace");
  const Object* ref = ControllerRef(rs);
  if (ref && Str(*ref, "kind") == "Deployment" && Str(*ref, "apiVersion") == "apps/v1") {
    return {ns, "Deployment", Str(*ref, "name"), Str(*ref, "uid")};
  }
  return {ns, "ReplicaSet", StringAt(rs, "metadata", "name"), StringAt(rs, "metadata", "uid")};
}

bool IsActivePod(const Object& pod) {
  const std::string phase = StringAt(pod, "status", "phase");
  if (phase == "Succeeded" || phase == "Failed") return false;
  const Object* deleting = Field(pod, "metadata", "deletionTimestamp");
  return !deleting || deleting->is_null();
}

std::map<std::string, std::string> LabelsOf(const Object& obj) {
  std::map<std::string, std::string> out;
  const Object* labels = Field(obj, "metadata", "labels");
  if (!labels || !labels->is_object()) return out;
  for (const auto& [k, v] : labels->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::vector<InjectedEntry> ParseInjected(const std::string& annotation) {
  std::vector<InjectedEntry> out;
  size_t start = 0;
  while (start <= annotation.size()) {
    size_t comma = annotation.find(',', start);
    if (comma == std::string::npos) comma = annotation.size();
    const std::string item = Trim(annotation.substr(start, comma - start));
    if (!item.empty()) {
      const auto at = item.rfind('@');
      if (at == std::string::npos) {
        out.push_back({item, ""});
      } else {
        out.push_back({item.substr(0, at), item.substr(at + 1)});
      }
    }
    start = comma + 1;
  }
  return out;
}

bool IsInjectedAnnotation(std::string_view annotation, const std::vector<InjectedEntry>& current) {
  if (annotation.empty()) return false;
  if (current.empty()) return true;
  for (const auto& entry : ParseInjected(std::string(annotation))) {
    for (const auto& want : current) {
      if (!want.hash.empty() && entry == want) return true;
    }
  }
  return false;
}

}  // namespace limen::op
