// EventRecorder: Kubernetes Events (events.k8s.io/v1) about objects Limen manages —
// client-go's tools/events (EventBroadcaster/EventRecorder) with the spam filter of
// tools/record (EventSourceObjectSpamFilter).
//
// Flow: Event() (any thread, never blocks on the network)
//   → rate limit: one token bucket per regarding object (default burst 25, refilled one
//     token per 5 minutes, client-go's spam filter); over the limit → dropped and counted
//   → a bounded queue (default 1000; full → dropped and counted)
//   → one worker thread: de-duplication, then the API call:
//       an Event isomorphic to one written within `series_window` (same regarding object,
//       type, reason, action, note) → PATCH the existing Event's
//       series {count, lastObservedTime} instead of creating another;
//       otherwise → CREATE a new Event named "<regarding name>.<unix nanos hex>" with
//       eventTime, reportingController, reportingInstance.
//   A series patch that finds the Event gone (404) creates a new one.
//
// Thread-safety: Event() is safe from any thread. Shutdown() (also the destructor) sends
// what is queued and joins the worker.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "limen/kube/client.h"
#include "limen/kube/clock.h"
#include "limen/kube/rate_limiter.h"

namespace limen::kube {

// A reference to the object an Event is about (corev1.ObjectReference).
struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path;
  Object ToJson() const;
};
// The reference to an object as the apiserver returned it.
ObjectReference ReferenceTo(const Object& obj);

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller;            // e.g. "limen.dev/operator"; required
  std::string reporting_instance;              // e.g. the pod name; required
  std::chrono::seconds series_window{6 * 60};  // client-go's isomorphic-event window
  int burst = 25;                              // per regarding object
  double qps = 1.0 / 300.0;                    // refill: one token per 5 minutes
  size_t queue_size = 1000;
};

class EventRecorder {
 public:
  EventRecorder(Client& client, EventRecorderOptions options, Clock& clock = RealClock::Instance());
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `reason` is CamelCase (why), `action` what was done/failed (e.g. "Reconcile"),
  // `note` a human message (truncated to 1 KB as the API requires).
  void Event(const ObjectReference& regarding, EventType type, const std::string& reason,
             const std::string& action, const std::string& note);

  // Blocks until everything queued so far has been written (or failed). For tests and
  // clean shutdown.
  void Flush();
  void Shutdown();

  int64_t dropped() const { return dropped_.load(); }  // rate-limited or queue full

 private:
  struct Pending {
    ObjectReference regarding;
    EventType type;
    std::string reason, action, note;
    Clock::WallTime when;
  };
  struct Series {
    std::string ns, name;
    int64_t count = 1;
    Clock::MonoTime last;
  };

  void Worker();
  void Write(const Pending& e);
  bool PatchSeries(Series& s, const Pending& e);
  void CreateEvent(const std::string& key, const Pending& e);
  TokenBucket& BucketFor(const std::string& object_key);

  // Constant after construction.
  Client& client_;
  const EventRecorderOptions options_;
  Clock& clock_;

  std::atomic<int64_t> dropped_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool busy_ = false;          // guarded by mu_: the worker is writing one
  bool shutdown_ = false;      // guarded by mu_
  std::unordered_map<std::string, std::unique_ptr<TokenBucket>> buckets_;  // guarded by mu_

  std::unordered_map<std::string, Series> series_;  // worker thread only
  int64_t last_name_nanos_ = 0;                     // worker thread only

  std::thread worker_;  // last: started after everything above is initialised
};

}  // namespace limen::kube
