// Workloads as limen-operator sees them: which workload a Pod belongs to (owner resolution),
// the key of its InstrumentedWorkload, and which policies select it. Pure functions over
// cached objects (the informers' projections, see transform.h), so every decision here is
// unit-tested without a cluster.
//
// A workload is a Deployment (reached through its ReplicaSets' controller references), a
// StatefulSet, a DaemonSet, a ReplicaSet without a controlling Deployment, or a bare Pod.
// Pods controlled by anything else (Jobs, custom controllers) are not workloads Limen
// measures.
//
// Thread-safety: pure functions on values.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/kube/client.h"
#include "limen/kube/store.h"

namespace limen::op {

using kube::Object;
using kube::ObjectPtr;

struct WorkloadId {
  std::string ns;
  std::string kind;  // Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod
  std::string name;
  std::string uid;  // "" when only the key is known
  friend bool operator==(const WorkloadId&, const WorkloadId&) = default;
};

// "apps/v1", or "v1" for a Pod.
std::string WorkloadApiVersion(const std::string& kind);
// The workload kind spelled in an InstrumentedWorkload name ("deployment" → "Deployment"), or
// "" if it is none of the five.
std::string KindFromLowerCase(const std::string& lower);

// The InstrumentedWorkload key: "<ns>/<kind>-<name>" in lower case.
std::string WorkloadKey(const WorkloadId& id);
// The inverse of WorkloadKey (uid empty); nullopt for a key that names no workload kind.
std::optional<WorkloadId> ParseWorkloadKey(const std::string& key);

// Index names of the operator's stores (see Indexers()).
inline constexpr const char kIndexControllerUid[] = "controller-uid";  // pods, replicasets
inline constexpr const char kIndexNode[] = "node";                     // pods: spec.nodeName
inline constexpr const char kIndexUid[] = "uid";                       // pods: metadata.uid

// The uid of an object's controlling owner reference, or "".
std::string ControllerUid(const Object& obj);
std::vector<std::string> IndexByControllerUid(const Object& obj);
std::vector<std::string> IndexByNode(const Object& pod);
std::vector<std::string> IndexByUid(const Object& obj);

// The workload a ReplicaSet belongs to: its Deployment, or itself. (A Pod's workload:
// ResolveOwnerOf in pod_index.h.)
WorkloadId ResolveReplicaSet(const Object& rs);

// Whether a Pod counts: not finished (Succeeded/Failed) and not being deleted.
bool IsActivePod(const Object& pod);
std::map<std::string, std::string> LabelsOf(const Object& obj);

// The `limen.dev/injected` annotation: "policy@hash" entries, comma-separated.
struct InjectedEntry {
  std::string policy;
  std::string hash;
  friend bool operator==(const InjectedEntry&, const InjectedEntry&) = default;
};
std::vector<InjectedEntry> ParseInjected(const std::string& annotation);

// Whether a pod whose limen.dev/injected annotation is `annotation` ("" when absent; see
// PodSummary::injected) carries the sidecar of a current policy rendering. `current` holds
// the ResiliencePolicies selecting the workload with their current rendered hash; when it is
// empty (only ObservabilityPolicies select the workload), any injected annotation counts.
bool IsInjectedAnnotation(std::string_view annotation, const std::vector<InjectedEntry>& current);

}  // namespace limen::op
