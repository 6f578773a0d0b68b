// Request building for the Kubernetes REST API: collection and object paths, query strings
// with proper URL encoding, patch content types and the DeleteOptions body. Pure functions
// (no I/O), so HttpClient's wire format is unit-tested without a server.
//
// Thread-safety: stateless functions and plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube {

// "/api/v1/namespaces/<ns>/configmaps/<name>/status", "/apis/<g>/<v>/leases", ...
// `ns` is ignored for cluster-scoped resources; empty `name` means the collection.
std::string ResourcePath(const Resource& r, const std::string& ns, const std::string& name = "",
                         const std::string& subresource = "");

// Percent-encodes everything but RFC 3986 unreserved characters (so selectors such as
// "app in (a,b),tier!=db" and continue tokens survive intact).
std::string UrlEncode(std::string_view s);

// An ordered list of query parameters; Encode() gives "?k=v&k2=v2" ("" when empty).
class Query {
 public:
  Query& Add(std::string key, std::string value);
  // Adds only when `value` is not empty.
  Query& AddIfSet(std::string key, const std::string& value);
  std::string Encode() const;
  bool empty() const { return params_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

Query ListQuery(const ListOptions& opts);
// `timeout_seconds` is the value to send (the caller has already chosen it).
Query WatchQuery(const WatchOptions& opts, int64_t timeout_seconds);
Query WriteQuery(const RequestOptions& opts);
Query PatchQuery(PatchType type, const PatchOptions& opts);

// The Content-Type of each patch type (application/merge-patch+json, ...).
std::string PatchContentType(PatchType type);

// The metav1.DeleteOptions body: preconditions, propagationPolicy, gracePeriodSeconds.
Object DeleteOptionsBody(const DeleteOptions& opts);

// metadata.name / metadata.namespace of an object, "" when absent or not strings.
std::string ObjectName(const Object& obj);
std::string ObjectNamespace(const Object& obj);

}  // namespace limen::kube
