// ObservabilityPolicyReconciler: writes an ObservabilityPolicy's status (status.h) through
// the status subresource, only when it changed, and an Event when its Ready condition
// moves. Key: "<namespace>/<name>". Invalid specs (a selector or thresholds the apiserver
// let through but lib/api rejects) get Ready=False/InvalidSpec and are not retried: a spec
// change enqueues the key again.
//
// Thread-safety: as every kube::Reconciler — concurrent calls for different keys.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/caches.h"
#include "limen/kube/clock.h"
#include "limen/kube/controller.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/reconcile.h"

namespace limen::op::obspol {

struct Options {
  std::string field_manager = "limen-operator";
};

class Reconciler final : public kube::Reconciler {
 public:
  Reconciler(kube::Client& client, Caches caches, kube::EventRecorder& events, kube::Clock& clock,
             Options options);
  kube::Outcome Reconcile(const std::string& key) override;

 private:
  kube::Client& client_;
  const Caches caches_;
  kube::EventRecorder& events_;
  kube::Clock& clock_;
  const Options options_;
};

// The controller: name "observabilitypolicy".
std::unique_ptr<kube::Controller> NewController(Reconciler& reconciler, int workers,
                                                prometheus::Registry& registry);

// The policies of a namespace (what a Pod or InstrumentedWorkload change there may affect).
std::vector<std::string> KeysForNamespace(const Caches& c, const std::string& ns);
// Every policy (a NodeProbeState change may affect any of them).
std::vector<std::string> AllKeys(const Caches& c);

}  // namespace limen::op::obspol
