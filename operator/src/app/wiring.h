// The operator's informers and how their events reach the controllers.
//
// Informers: the five limen.dev kinds (NodeProbeState cluster-scoped), Pods (ProjectPod),
// ReplicaSets, Deployments, StatefulSets, DaemonSets (ProjectOwner), and the ConfigMaps Limen
// owns (label selector app.kubernetes.io/managed-by=limen). Every store carries the indexes
// of common/workload.h.
//
// Fan-out (Wire): which controller keys each event enqueues —
//   Pod               its workload (InstrumentedWorkload); the policies of its namespace
//   ReplicaSet        its workload
//   Deployment/StatefulSet/DaemonSet  its own InstrumentedWorkload key
//   ObservabilityPolicy  itself; on add/delete/spec change every workload of its namespace
//   ResiliencePolicy     every workload of its namespace (the rendered hash decides
//                        `injected`)
//   InstrumentedWorkload itself; the policies of its namespace (workloadsSustained)
//   NodeProbeState       the workloads of the Pods it reports (old and new); every policy
// Updates that change nothing in the projection (only resourceVersion) are dropped.
//
// Thread-safety: construct, Wire, then Run; afterwards only HasSynced/Stop/caches().
#pragma once

#include <memory>
#include <vector>

#include "common/caches.h"
#include "limen/kube/controller.h"
#include "limen/kube/informer.h"

namespace limen::op {

class Informers {
 public:
  explicit Informers(kube::Client& client);
  Informers(const Informers&) = delete;
  Informers& operator=(const Informers&) = delete;

  Caches caches() const;
  const kube::Store& configmaps() const { return configmaps_->store(); }
  const kube::Store& wasmfilters() const { return wasmfilters_->store(); }
  kube::Informer& pods() { return *pods_; }
  std::vector<kube::Informer*> all() const;

  void Run();
  void Stop();
  bool HasSynced() const;

 private:
  friend void Wire(Informers&, kube::Controller*, kube::Controller*);
  std::unique_ptr<kube::Informer> pods_, replicasets_, deployments_, statefulsets_, daemonsets_,
      configmaps_, obspols_, respols_, wasmfilters_, iwls_, nps_;
};

// Connects informer events to the InstrumentedWorkload and ObservabilityPolicy
// controllers. REQUIRES: before Informers::Run().
void Wire(Informers& informers, kube::Controller* instrumented_workloads,
          kube::Controller* observability_policies);

}  // namespace limen::op
