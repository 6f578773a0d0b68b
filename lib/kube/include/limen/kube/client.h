// Client: the dynamic (JSON) Kubernetes API, as an interface.
//
// Every lib/kube component that talks to the apiserver — Watcher/Informer, LeaderElector,
// EventRecorder, reconcilers — depends on this interface only, so unit tests substitute a
// fake and integration tests use HttpClient (rest_client.h) against the real apiserver.
//
// Objects are nlohmann::json values exactly as the apiserver sends them. A Resource names
// the REST collection (group, version, plural); resolve kinds to Resources with Discovery.
// Namespace "" means cluster-scoped, or all namespaces for List/Watch.
//
// Thread-safety: implementations must be safe for concurrent use by many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/kube/errors.h"

namespace limen::kube {

using Object = nlohmann::json;

// A REST collection: /api/v1/<resource> or /apis/<group>/<version>/<resource>.
struct Resource {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural: "configmaps"
  std::string kind;      // "ConfigMap"
  bool namespaced = true;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  friend bool operator==(const Resource&, const Resource&) = default;
};

// Well-known resources, so common callers need no discovery round trip.
namespace resources {
inline const Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const Resource kSecrets{"", "v1", "secrets", "Secret", true};
inline const Resource kPods{"", "v1", "pods", "Pod", true};
inline const Resource kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const Resource kNodes{"", "v1", "nodes", "Node", false};
inline const Resource kServices{"", "v1", "services", "Service", true};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const Resource kEvents{"events.k8s.io", "v1", "events", "Event", true};
inline const Resource kDeployments{"apps", "v1", "deployments", "Deployment", true};
inline const Resource kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
inline const Resource kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const Resource kDaemonSets{"apps", "v1", "daemonsets", "DaemonSet", true};
}  // namespace resources

struct RequestOptions {
  // Per-request timeout; nullopt = the client's default.
  std::optional<std::chrono::milliseconds> timeout;
  // Subresource such as "status" or "scale"; empty = the object itself.
  std::string subresource;
  bool dry_run = false;       // dryRun=All
  std::string field_manager;  // fieldManager=
};

class FieldFilter;  // field_filter.h

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;  // 0 = no pagination
  std::string continue_token;
  std::string resource_version;        // "" = most recent (quorum read), "0" = any
  std::string resource_version_match;  // "", "NotOlderThan", "Exact"
  std::optional<std::chrono::milliseconds> timeout;
  // Applied to every item while the response is parsed (field_filter.h); null = whole.
  std::shared_ptr<const FieldFilter> field_filter;
  // Ask for the list in protobuf, which the apiserver encodes about twice as fast as JSON,
  // when lib/kube can decode every field the field_filter keeps (core/v1 Pods under a
  // projection; see src/proto_schema.h). The items are exactly those of the JSON list. Other
  // lists, and servers that answer in JSON, are read as JSON. A protobuf list arrives
  // faster than it is decoded: call limen::ReturnLargeBlocksWhenFreed() at start
  // (limen/base/heap.h), or cpprest's queued body fragments the heap.
  bool protobuf = false;
};

struct ObjectList {
  std::vector<Object> items;
  std::string resource_version;  // the list's metadata.resourceVersion
  std::string continue_token;    // "" when this was the last page
  bool protobuf = false;         // decoded from protobuf (ListOptions::protobuf)
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  bool allow_bookmarks = true;
  int64_t timeout_seconds = 0;  // server-side timeout; 0 = server default
  // Applied to every event's object while it is parsed (not to ERROR events' Status).
  std::shared_ptr<const FieldFilter> field_filter;
  // Watch-list (KEP-3157): sendInitialEvents=true&resourceVersionMatch=NotOlderThan. The
  // server first sends every object at least as new as resource_version ("" = a consistent
  // read) as ADDED events, then a BOOKMARK annotated k8s.io/initial-events-end: "true",
  // then the watch goes on. Requires allow_bookmarks.
  bool send_initial_events = false;
};

// The annotation of the BOOKMARK that ends a watch-list's initial events.
inline constexpr const char* kInitialEventsEndAnnotation = "k8s.io/initial-events-end";

enum class PatchType { kMerge, kJsonPatch, kStrategicMerge, kApply };

struct PatchOptions {
  std::string field_manager;  // required for kApply
  bool force = false;         // kApply only: take ownership of conflicting fields
  std::string subresource;
  bool dry_run = false;
  std::optional<std::chrono::milliseconds> timeout;
};

struct DeleteOptions {
  std::string propagation_policy;  // "", "Orphan", "Background", "Foreground"
  std::string precondition_uid;
  std::string precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;
  bool dry_run = false;
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type;
  Object object;  // for kError: the metav1.Status
};

// One open watch. Next() blocks until an event arrives, the stream ends, or Cancel().
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // An event; nullopt when the stream ended cleanly (server timeout or Cancel()); an
  // ApiError when it broke. A malformed line is reported by the stream's decoder and
  // skipped, never returned as an event.
  virtual ApiResult<std::optional<WatchEvent>> Next() = 0;
  // Ends the stream from any thread; a blocked Next() returns nullopt promptly.
  virtual void Cancel() = 0;
};

class Client {
 public:
  virtual ~Client() = default;

  virtual ApiResult<Object> Get(const Resource& r, const std::string& ns, const std::string& name,
                                const RequestOptions& opts = {}) = 0;
  // One page; follow continue_token for more (see ListAll in rest_client.h).
  virtual ApiResult<ObjectList> List(const Resource& r, const std::string& ns,
                                     const ListOptions& opts = {}) = 0;
  virtual ApiResult<Object> Create(const Resource& r, const std::string& ns, const Object& obj,
                                   const RequestOptions& opts = {}) = 0;
  // PUT; the object's metadata.resourceVersion (if set) is the optimistic-concurrency
  // precondition: a stale one fails with 409 Conflict.
  virtual ApiResult<Object> Update(const Resource& r, const std::string& ns, const Object& obj,
                                   const RequestOptions& opts = {}) = 0;
  // `patch` is a JSON value (merge patch, JSON Patch array, or apply configuration).
  virtual ApiResult<Object> Patch(const Resource& r, const std::string& ns, const std::string& name,
                                  PatchType type, const Object& patch,
                                  const PatchOptions& opts = {}) = 0;
  // Returns the deleted object (or the Status the server sent, for collections).
  virtual ApiResult<Object> Delete(const Resource& r, const std::string& ns,
                                   const std::string& name, const DeleteOptions& opts = {}) = 0;
  virtual ApiResult<std::unique_ptr<WatchStream>> Watch(const Resource& r, const std::string& ns,
                                                        const WatchOptions& opts) = 0;
};

}  // namespace limen::kube
