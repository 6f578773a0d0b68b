// InstrumentedWorkloadReconciler: keeps one InstrumentedWorkload per selected workload.
//
// Key: "<namespace>/<kind>-<name>" (the InstrumentedWorkload's own key, see WorkloadKey).
// Reconcile(key):
//   1. the workload is gone, being deleted, or no policy selects any of its Pods → delete
//      the InstrumentedWorkload (if Limen created it) and the workload's metric series;
//   2. otherwise create it if missing (owner reference → garbage-collected with the
//      workload) or re-create it if its workloadRef names an earlier workload of the name;
//   3. plan the status (status.h) and write it through the status subresource — only when
//      it changed, with the resourceVersion read, so a stale view fails with 409 and is
//      retried instead of overwriting a newer status;
//   4. one Event per readiness transition, after the write succeeded;
//   5. requeue exactly at the engine's requeue_after (a window completing, data going
//      stale) — never polling.
//
// Which keys to enqueue for a changed object is decided by the Keys* functions below.
//
// Thread-safety: Reconcile is called concurrently for different keys (the Controller
// never runs one key twice at once); all members are thread-safe or constant.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/caches.h"
#include "limen/kube/clock.h"
#include "limen/kube/controller.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/reconcile.h"
#include "reconcilers/instrumentedworkload/metrics.h"

namespace limen::op::iwl {

struct Options {
  std::string field_manager = "limen-operator";
  readiness::Duration report_interval = std::chrono::seconds(15);
};

class Reconciler final : public kube::Reconciler {
 public:
  // Every reference must outlive the reconciler.
  Reconciler(kube::Client& client, Caches caches, kube::EventRecorder& events, kube::Clock& clock,
             WorkloadMetrics& metrics, Options options);

  kube::Outcome Reconcile(const std::string& key) override;

 private:
  kube::Outcome DeleteStale(const std::string& key, const ObjectPtr& existing,
                            const std::string& why);

  kube::Client& client_;
  const Caches caches_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
  WorkloadMetrics& metrics_;
  const Options options_;
};

// The controller: name "instrumentedworkload", `workers` workers.
std::unique_ptr<kube::Controller> NewController(Reconciler& reconciler, int workers,
                                                prometheus::Registry& registry);

// Keys to reconcile when an object changed (old or new state; both are passed when known).
std::vector<std::string> KeysForPod(const Caches& c, const PodSummary& pod);
std::vector<std::string> KeysForReplicaSet(const Object& rs);
std::vector<std::string> KeysForOwnerObject(const Object& workload, const std::string& kind);
// Every workload with a Pod in the namespace, and every InstrumentedWorkload there: what a
// policy change may affect.
std::vector<std::string> KeysForNamespace(const Caches& c, const std::string& ns);
// The workloads of the Pods a node's report (a NodeProbeState, decoded) has measurements of.
std::vector<std::string> KeysForNodeReport(const Caches& c, const NodeReport& report);

}  // namespace limen::op::iwl
