// A fixed set of threads that run request handlers for the connection threads.
//
// Each connection has a thread of its own (blocking I/O, TLS), but its handler runs here: a
// handler's transient allocations (a decoded JSON document of a few hundred nodes) are then
// made and freed by these few threads only, so malloc's per-thread caches serve them without
// taking an arena lock, and the memory those caches hold is bounded by the pool's size
// rather than by the connections open.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <type_traits>
#include <vector>

namespace limen::serving {

class HandlerPool {
 public:
  explicit HandlerPool(size_t threads);
  // Runs what is queued, then joins the threads.
  ~HandlerPool();
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Runs `fn` on one of the pool's threads and returns once it has returned; with no
  // threads, on the caller's. Calls are served in arrival order. `fn` must not throw. It is
  // referred to, not copied (no allocation per call).
  template <typename F>
  void Run(F&& fn) {
    using Fn = std::remove_reference_t<F>;
    if (size_ == 0) {
      fn();
      return;
    }
    Task task{[](const void* f) { (*static_cast<Fn*>(const_cast<void*>(f)))(); },
              std::addressof(fn)};
    RunOnPool(task);
  }

  size_t Threads() const { return size_; }
  // Replaces the threads with new ones; the old ones end once their current call returned.
  // A thread's malloc cache goes back to the heap when the thread ends, so a process that
  // returns free memory after a burst (limen::ReleaseFreeHeap) renews its handlers first.
  void Renew();
  // Calls waiting for a thread.
  size_t Queued() const;

 private:
  struct Task {
    void (*call)(const void* fn);
    const void* fn;
    std::binary_semaphore done{0};
  };
  void RunOnPool(Task& task);  // queues `task` and waits until a thread ran it
  void Work(uint64_t generation);
  void StartThreads();  // size_ threads of the current generation; mu_ held

  mutable std::mutex mu_;
  std::condition_variable queued_;
  std::deque<Task*> queue_;  // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  uint64_t generation_ = 0;  // guarded by mu_; threads of an older one end
  const size_t size_;
  std::vector<std::thread> threads_;  // guarded by mu_
};

}  // namespace limen::serving
