// WorkQueue: client-go's rate-limiting, delaying work queue of keys (util/workqueue
// queue.go + delaying_queue.go + rate_limiting_queue.go in one class).
//
// Semantics (queue.go):
//   - dirty: keys that need processing; processing: keys a worker holds (Get → Done).
//   - Add of a key already dirty is a no-op: adds coalesce.
//   - Add of a key being processed marks it dirty only; Done re-queues it. So a key is
//     never processed by two workers at once, and a change during processing is not lost.
//   - AddAfter(key, d) adds it once d has elapsed (on the injected Clock);
//     AddRateLimited(key) = AddAfter(key, rate_limiter.When(key)); Forget(key) resets the
//     key's failure count; NumRequeues(key) reads it.
//   - ShutDown(): Adds are ignored from now on, delayed keys are dropped, Get() hands out
//     what is still queued and then returns nullopt. ShutDownWithDrain() additionally
//     waits until every key handed out has been Done().
//
// Thread-safety: all methods are safe from any thread (one mutex; condition variables).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "limen/kube/clock.h"
#include "limen/kube/metrics.h"
#include "limen/kube/rate_limiter.h"

namespace limen::kube {

class WorkQueue {
 public:
  struct Options {
    std::unique_ptr<RateLimiter> rate_limiter;  // default: DefaultControllerRateLimiter
    Clock* clock = nullptr;                     // default: RealClock
    const WorkQueueMetrics* metrics = nullptr;  // optional; must outlive the queue
  };
  WorkQueue();
  explicit WorkQueue(Options options);
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, Clock::Duration delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is available; nullopt once shut down and empty.
  // The caller must call Done(key) when finished with it.
  std::optional<std::string> Get();
  void Done(const std::string& key);

  size_t Len() const;  // keys queued (not delayed, not processing)
  void ShutDown();
  void ShutDownWithDrain();
  bool ShuttingDown() const;

  // Refreshes workqueue_unfinished_work_seconds / longest_running_processor_seconds;
  // client-go does this every 500 ms from a goroutine — the Controller calls it.
  void UpdateUnfinishedWorkMetrics();

 private:
  struct Delayed {
    Clock::MonoTime ready;
    std::string key;
    bool operator>(const Delayed& o) const { return ready > o.ready; }
  };

  void AddLocked(const std::string& key);
  // Moves delayed keys whose time has come into the queue; returns the next ready time.
  std::optional<Clock::MonoTime> PromoteDelayedLocked();

  // Constant after construction.
  std::unique_ptr<RateLimiter> rate_limiter_;
  Clock& clock_;
  const WorkQueueMetrics* metrics_;
  // With a FakeClock time moves without notifying our condition variable, so waits for a
  // delayed key poll at this interval; with the RealClock they sleep until it is due.
  const bool real_clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;                  // queue non-empty, shutdown, or new delayed key
  std::condition_variable drain_cv_;            // processing became empty
  std::deque<std::string> queue_;               // guarded by mu_
  std::unordered_set<std::string> dirty_;       // guarded by mu_
  std::unordered_set<std::string> processing_;  // guarded by mu_
  std::unordered_map<std::string, Clock::MonoTime> added_at_;    // guarded by mu_ (metrics)
  std::unordered_map<std::string, Clock::MonoTime> started_at_;  // guarded by mu_ (metrics)
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_;  // guarded by mu_
  bool shutting_down_ = false;                                                  // guarded by mu_
};

}  // namespace limen::kube
