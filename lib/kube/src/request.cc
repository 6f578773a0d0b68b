#include "limen/kube/request.h"

#include <cstdio>

namespace limen::kube {

std::string ResourcePath(const Resource& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string path = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) path += "/namespaces/" + UrlEncode(ns);
  path += "/" + r.resource;
  if (!name.empty()) {
    path += "/" + UrlEncode(name);
    if (!subresource.empty()) path += "/" + subresource;
  }
  return path;
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                            (u >= '0' && u <= '9') || u == '-' || u == '_' || u == '.' || u == '~';
    if (unreserved) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      out += buf;
    }
  }
  return out;
}

Query& Query::Add(std::string key, std::string value) {
  params_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Query& Query::AddIfSet(std::string key, const std::string& value) {
  if (!value.empty()) Add(std::move(key), value);
  return *this;
}

std::string Query::Encode() const {
  std::string out;
  for (const auto& [k, v] : params_) {
    out += out.empty() ? '?' : '&';
    out += UrlEncode(k);
    out += '=';
    out += UrlEncode(v);
  }
  return out;
}

Query ListQuery(const ListOptions& opts) {
  Query q;
  q.AddIfSet("labelSelector", opts.label_selector);
  q.AddIfSet("fieldSelector", opts.field_selector);
  if (opts.limit > 0) q.Add("limit", std::to_string(opts.limit));
  q.AddIfSet("continue", opts.continue_token);
  q.AddIfSet("resourceVersion", opts.resource_version);
  // resourceVersionMatch without resourceVersion is rejected by the apiserver.
  if (!opts.resource_version.empty()) {
    q.AddIfSet("resourceVersionMatch", opts.resource_version_match);
  }
  return q;
}

Query WatchQuery(const WatchOptions& opts, int64_t timeout_seconds) {
  Query q;
  q.Add("watch", "1");
  q.AddIfSet("labelSelector", opts.label_selector);
  q.AddIfSet("fieldSelector", opts.field_selector);
  q.AddIfSet("resourceVersion", opts.resource_version);
  if (opts.allow_bookmarks) q.Add("allowWatchBookmarks", "true");
  if (opts.send_initial_events) {
    // The only match the apiserver accepts with sendInitialEvents, even with
    // resourceVersion "" (client-go sends the same).
    q.Add("sendInitialEvents", "true");
    q.Add("resourceVersionMatch", "NotOlderThan");
  }
  if (timeout_seconds > 0) q.Add("timeoutSeconds", std::to_string(timeout_seconds));
  return q;
}

Query WriteQuery(const RequestOptions& opts) {
  Query q;
  if (opts.dry_run) q.Add("dryRun", "All");
  q.AddIfSet("fieldManager", opts.field_manager);
  return q;
}

Query PatchQuery(PatchType type, const PatchOptions& opts) {
  Query q;
  if (opts.dry_run) q.Add("dryRun", "All");
  q.AddIfSet("fieldManager", opts.field_manager);
  // force is only valid for apply patches; the apiserver rejects it on the others.
  if (type == PatchType::kApply && opts.force) q.Add("force", "true");
  return q;
}

std::string PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kJsonPatch: return "application/json-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
    case PatchType::kApply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

Object DeleteOptionsBody(const DeleteOptions& opts) {
  Object body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!opts.propagation_policy.empty()) body["propagationPolicy"] = opts.propagation_policy;
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  if (!opts.precondition_uid.empty()) body["preconditions"]["uid"] = opts.precondition_uid;
  if (!opts.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = opts.precondition_resource_version;
  }
  if (opts.dry_run) body["dryRun"] = {"All"};
  return body;
}

namespace {
std::string MetadataString(const Object& obj, const char* field) {
  if (!obj.is_object()) return "";
  const auto md = obj.find("metadata");
  if (md == obj.end() || !md->is_object()) return "";
  const auto it = md->find(field);
  return it != md->end() && it->is_string() ? it->get<std::string>() : "";
}
}  // namespace

std::string ObjectName(const Object& obj) { return MetadataString(obj, "name"); }
std::string ObjectNamespace(const Object& obj) { return MetadataString(obj, "namespace"); }

}  // namespace limen::kube
