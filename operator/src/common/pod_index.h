// PodIndex and ReplicaSetIndex: what limen-operator's namespace-wide scans read of Pods and
// ReplicaSets, kept typed and decoded beside the (compact) informer stores.
//
// Why: the Pod store holds its objects encoded (a quarter of the memory of the DOM), and a
// read decodes. The scans that visit every Pod of a namespace (iwl::KeysForNamespace,
// ObservabilityPolicy Observe, ReachOf) would decode thousands of Pods per reconcile, which
// doubled the CPU of one. They read PodSummaries instead: the handful of fields they use,
// taken once when the informer delivers the Pod, held in one flat buffer per Pod.
//
// The indexes are written by the informers' event handlers (app/wiring.cc registers them
// before any other handler, so a key enqueued for an event is reconciled against an index
// that already has that event), and read by the reconcilers.
//
// Thread-safety: one writer (the informer thread) and any number of readers; readers get
// immutable snapshots (shared_ptr) they may keep.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/change.h"
#include "common/workload.h"
#include "limen/api/selector.h"

namespace limen::op {

// One Pod as the scans read it. Immutable; its strings live in one buffer, where the strings
// many Pods repeat — label keys, the namespace, the node, the limen.dev/injected annotation
// (policy@hash), the controller's apiVersion and kind — are 3-byte references to one
// process-wide copy (SharedStrings in pod_index.cc).
class PodSummary {
 public:
  static PodSummary Of(const Object& pod);

  std::string_view ns() const { return Field(kNs); }
  std::string_view name() const { return Field(kName); }
  std::string_view uid() const { return Field(kUid); }
  std::string_view node() const { return Field(kNode); }  // spec.nodeName
  // The limen.dev/injected annotation ("" when absent).
  std::string_view injected() const { return Field(kInjected); }
  // IsActivePod: not Succeeded/Failed and not being deleted.
  bool active() const { return active_; }
  // metadata.deletionTimestamp is set.
  bool being_deleted() const { return being_deleted_; }
  // The ownerReference with controller: true, if any.
  bool has_controller() const { return has_controller_; }
  std::string_view controller_api_version() const { return Field(kCtrlApiVersion); }
  std::string_view controller_kind() const { return Field(kCtrlKind); }
  std::string_view controller_name() const { return Field(kCtrlName); }
  std::string_view controller_uid() const { return Field(kCtrlUid); }
  // metadata.labels (string values only, as LabelsOf).
  api::Labels Labels() const;

  // Equal summaries: nothing the operator reads of the Pod changed.
  friend bool operator==(const PodSummary&, const PodSummary&) = default;

 private:
  enum : uint32_t {
    kNs,
    kName,
    kUid,
    kNode,
    kInjected,
    kCtrlApiVersion,
    kCtrlKind,
    kCtrlName,
    kCtrlUid,
    kFixedFields
  };
  // Whether field i is stored through SharedStrings when it can be (see Append).
  static bool Shareable(uint32_t i) {
    return i == kNs || i == kNode || i == kInjected || i == kCtrlApiVersion || i == kCtrlKind ||
           (i >= kFixedFields && (i - kFixedFields) % 2 == 0);  // a label's key
  }
  size_t OffsetSize() const { return wide_ ? sizeof(uint32_t) : sizeof(uint16_t); }
  uint32_t End(uint32_t i) const;             // where field i's bytes end
  std::string_view Stored(uint32_t i) const;  // field i's bytes as stored
  std::string_view Field(uint32_t i) const;

  // [the end of each field][the fields' bytes, one after the other]; a shareable field is a
  // tag byte, then a 2-byte SharedStrings id or the string itself. The ends are uint16 (half
  // of a typical summary's offsets: ≈ 60 B of ≈ 380 at ten labels) unless the bytes exceed
  // 64 KiB (wide_: uint32).
  std::string data_;
  uint32_t fields_ = 0;
  bool wide_ = false;
  bool active_ = false;
  bool being_deleted_ = false;
  bool has_controller_ = false;
};
using PodSummaryPtr = std::shared_ptr<const PodSummary>;

// What a ReplicaSet resolves to (ResolveReplicaSet), with its own uid.
struct ReplicaSetSummary {
  std::string uid;
  WorkloadId workload;
};

// The workload a Pod belongs to: itself when it has no controller, its StatefulSet or
// DaemonSet, or through its ReplicaSet (ResolveReplicaSet) its Deployment or that
// ReplicaSet. nullopt when its controller is not a workload kind, or is a ReplicaSet not
// cached yet or of another uid (the ReplicaSet's own event resolves it later). `replicaset`
// finds a ReplicaSet's summary by "namespace/name" (nullopt: not cached).
using ReplicaSetLookup = std::function<std::optional<ReplicaSetSummary>(const std::string& key)>;
std::optional<WorkloadId> ResolveOwnerOf(const PodSummary& pod, const ReplicaSetLookup& replicaset);

// What one write did to the index: the Pod's summary before and after.
using PodChange = Change<PodSummary>;

class PodIndex {
 public:
  // Writer: the informer's add, update and delete (by namespace and name).
  PodChange Upsert(const Object& pod);
  PodChange Remove(const Object& pod);

  // Readers.
  PodSummaryPtr Get(const std::string& ns, const std::string& name) const;
  std::vector<PodSummaryPtr> InNamespace(const std::string& ns) const;  // sorted by name
  std::vector<PodSummaryPtr> ByController(const std::string& uid) const;
  PodSummaryPtr ByUid(const std::string& uid) const;  // the latest Pod of that uid
  std::vector<PodSummaryPtr> All() const;
  size_t Size() const;

 private:
  PodSummaryPtr RemoveLocked(const std::string& ns, std::string_view name);

  mutable std::shared_mutex mu_;
  // namespace → name → Pod. The name keys view into their Pod's own buffer.
  std::unordered_map<std::string, std::map<std::string_view, PodSummaryPtr>> by_ns_;
  std::unordered_map<std::string, std::vector<PodSummaryPtr>> by_controller_;
  std::unordered_map<std::string_view, PodSummaryPtr> by_uid_;
};

class ReplicaSetIndex {
 public:
  void Upsert(const Object& rs);
  void Remove(const Object& rs);
  std::optional<ReplicaSetSummary> Get(const std::string& key) const;  // "namespace/name"
  size_t Size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ReplicaSetSummary> by_key_;
};

}  // namespace limen::op
