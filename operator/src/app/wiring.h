// The operator's informers and how their events reach the controllers.
//
// Informers: the five limen.dev kinds (NodeProbeState cluster-scoped), Pods (ProjectPod),
// ReplicaSets, Deployments, StatefulSets, DaemonSets (ProjectOwner), the ConfigMaps Limen
// owns (label selector app.kubernetes.io/managed-by=limen, full objects: the rendered sidecar
// configs, compared before every write), and every ConfigMap as a WasmFilter module source
// (ProjectConfigMapSource: metadata only — see wasm_sources() below). Every store carries the
// indexes of common/workload.h; the WasmFilter store also wasmfilter::FilterIndexers().
//
// Fan-out (Wire): which controller keys each event enqueues —
//   Pod               its workload (InstrumentedWorkload); the policies of its namespace —
//                     for its PodIndex summary before and after the event
//   ReplicaSet        its workload
//   Deployment/StatefulSet/DaemonSet  its own InstrumentedWorkload key
//   ObservabilityPolicy  itself; on add/delete/spec change every workload of its namespace
//   ResiliencePolicy     every workload of its namespace (the rendered hash decides
//                        `injected`)
//   InstrumentedWorkload itself; the policies of its namespace (workloadsSustained)
//   NodeProbeState       when its decoded report changed: the workloads of the Pods it reports
//                        (old and new); every policy; on delete its report is dropped
//   Pod, ReplicaSet      also the ResiliencePolicies of their namespace (matchedWorkloads,
//                        injectedPods)
// Updates that change nothing in the projection (only resourceVersion), or for a Pod nothing in
// its summary, are dropped. The
// WasmFilter and ResiliencePolicy controllers add their own handlers when they are created
// (WasmFilter, source ConfigMap → filter; policy, WasmFilter, owned ConfigMap → policy).
//
// Thread-safety: construct, Wire, then Run; afterwards only HasSynced/Stop/caches(). The first
// HasSynced() that returns true also returns the free heap of the initial lists to the system.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/caches.h"
#include "limen/kube/controller.h"
#include "limen/kube/informer.h"
#include "limen/reconcilers/resiliencepolicy/reconciler.h"

namespace limen::op {

// The controllers Wire enqueues into (nullptr: not wired).
struct Controllers {
  kube::Controller* instrumented_workloads = nullptr;
  kube::Controller* observability_policies = nullptr;
  kube::Controller* resilience_policies = nullptr;
};

class Informers {
 public:
  // `ns`: the one namespace to watch, or "" for all (NodeProbeStates are cluster-scoped and
  // always watched whole).
  Informers(kube::Client& client, const std::string& ns);
  Informers(const Informers&) = delete;
  Informers& operator=(const Informers&) = delete;

  Caches caches() const;
  kube::Informer& pods() { return *pods_; }
  kube::Informer& resilience_policies() { return *respols_; }
  kube::Informer& wasm_filters() { return *wasmfilters_; }
  // ConfigMaps labelled app.kubernetes.io/managed-by=limen, whole (minus managedFields).
  kube::Informer& limen_config_maps() { return *configmaps_; }
  // Every ConfigMap of the cluster, metadata only: where WasmFilters read modules from.
  kube::Informer& wasm_sources() { return *wasm_sources_; }
  std::vector<kube::Informer*> all() const;

  void Run();
  void Stop();
  bool HasSynced() const;

 private:
  friend void Wire(Informers&, const Controllers&);
  std::unique_ptr<kube::Informer> pods_, replicasets_, deployments_, statefulsets_, daemonsets_,
      configmaps_, wasm_sources_, obspols_, respols_, wasmfilters_, iwls_, nps_;
  // What the scans read instead of decoding the compact stores (common/pod_index.h), one for
  // every Caches handed out; kept by handlers the constructor registers first.
  const std::shared_ptr<NodeReports> node_reports_ = std::make_shared<NodeReports>();
  const std::shared_ptr<PodIndex> pod_index_ = std::make_shared<PodIndex>();
  const std::shared_ptr<ReplicaSetIndex> replicaset_index_ = std::make_shared<ReplicaSetIndex>();
  // Wire's handlers of Pod and node report changes (set before Run; called on the Pod and the
  // NodeProbeState informer's thread).
  std::function<void(const PodChange&)> pod_changed_;
  std::function<void(const NodeReportChange&)> report_changed_;
};

// Connects the informer events of the fan-out table above to the controllers.
// REQUIRES: before Informers::Run().
void Wire(Informers& informers, const Controllers& controllers);

// A ResiliencePolicy's matchedWorkloads and injectedPods from the operator's caches
// (common/caches.h ReachOf). An invalid selector reaches nothing (the apiserver's CRD schema
// lets few through; lib/api is stricter).
class CacheReachCounter final : public reconcilers::resiliencepolicy::ReachCounter {
 public:
  explicit CacheReachCounter(Caches caches) : caches_(std::move(caches)) {}
  reconcilers::resiliencepolicy::Reach Count(const api::ResiliencePolicy& policy,
                                             const std::string& hash) const override;

 private:
  const Caches caches_;
};

}  // namespace limen::op
