// Controller: N workers taking keys from a WorkQueue and calling a Reconciler
// (controller-runtime's pkg/internal/controller/controller.go).
//
// One function, HandleOutcome, maps each outcome onto a queue operation and a metric
// label — the whole retry policy in one switch:
//   error (retriable) → AddRateLimited   result=error   (+ reconcile_errors_total)
//   terminal error    → Forget           result=error   (+ terminal_reconcile_errors_total)
//   requeue_after > 0 → Forget, AddAfter result=requeue_after
//   requeue           → AddRateLimited   result=requeue
//   success           → Forget           result=success
// An exception escaping Reconcile is caught at this boundary, logged, counted in
// reconcile_panics_total and handled as a retriable error: one bad object never takes a
// worker (or the process) down.
//
// Feed it from informers: Enqueue(key) / EnqueueObject(obj) from their handlers.
//
// Thread-safety: Enqueue* from any thread. Start() once; Stop() from any thread except a
// worker; Stop drains: in-flight reconciles finish, queued keys are processed.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>

#include "limen/kube/informer.h"
#include "limen/kube/metrics.h"
#include "limen/kube/reconcile.h"
#include "limen/kube/workqueue.h"

namespace limen::kube {

struct ControllerOptions {
  std::string name;                           // the `controller` / `name` metric label; required
  int workers = 1;                            // controller-runtime's MaxConcurrentReconciles
  std::unique_ptr<RateLimiter> rate_limiter;  // default: DefaultControllerRateLimiter
  Clock* clock = nullptr;                     // default: RealClock
};

class Controller {
 public:
  Controller(ControllerOptions options, Reconciler& reconciler, prometheus::Registry& registry);
  ~Controller();  // Stop()s
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  void Enqueue(const std::string& key) { queue_.Add(key); }
  void EnqueueObject(const Object& obj);
  // A handler that enqueues the key of every added, updated or deleted object.
  std::shared_ptr<ResourceEventHandler> EnqueueHandler();

  void Start();
  void Stop();  // ShutDownWithDrain, then joins the workers

  WorkQueue& queue() { return queue_; }

 private:
  void Worker();
  void ReconcileOne(const std::string& key);
  void HandleOutcome(const std::string& key, const Outcome& outcome);

  // Constant after construction.
  const std::string name_;
  const int workers_;
  Reconciler& reconciler_;
  const WorkQueueMetrics queue_metrics_;
  const ControllerMetrics metrics_;
  Clock& clock_;

  WorkQueue queue_;
  std::vector<std::thread> threads_;
  std::thread metrics_thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace limen::kube
