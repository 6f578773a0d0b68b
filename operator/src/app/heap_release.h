// Returning free heap to the system once the process has gone quiet.
//
// glibc keeps the memory a burst of work frees (the initial reconciles with their status
// writes and Events, a reconcile storm, a relist, a /metrics scrape of ≈ 11,000 series) in
// its arenas; only malloc_trim hands it back. Trimming on a fixed period cost ≈ 30 % of a
// worker's throughput (the pages are faulted in again during the next burst,
// docs/benchmarks.md), so QuietTrim asks for a trim only once work has happened since the
// last one and the process has then been quiet for a while: between bursts, not in them.
//
// QuietTrim is pure (the caller samples the process's CPU time and trims), so tests drive it
// with CPU readings; ReleaseHeapWhenQuiet is the loop the operator runs on a thread of its
// own, sampling once a second.
//
// Thread-safety: QuietTrim is not thread-safe (one caller); ReleaseHeapWhenQuiet runs on the
// caller's thread until `stop` says so.
#pragma once

#include <time.h>

#include <chrono>
#include <functional>

#include <spdlog/spdlog.h>

#include "limen/base/heap.h"

namespace limen::op {

class QuietTrim {
 public:
  struct Options {
    // CPU time the process used since the last trim before another is worth doing.
    std::chrono::nanoseconds work{std::chrono::milliseconds(50)};
    // A tick in which the process used at most this CPU time is quiet...
    std::chrono::nanoseconds quiet{std::chrono::milliseconds(10)};
    // ... and this many quiet ticks in a row end a burst.
    int quiet_ticks = 2;
  };
  QuietTrim() : QuietTrim(Options{}) {}
  explicit QuietTrim(Options options) : options_(options) {}

  // `cpu`: the process's CPU time so far, sampled once per tick. True when the heap should
  // be trimmed now; the caller then reports the CPU time after its trim with Trimmed().
  bool Tick(std::chrono::nanoseconds cpu) {
    if (last_tick_.count() < 0) {  // no Trimmed() yet: the first sample only starts the count
      last_tick_ = at_trim_ = cpu;
      return false;
    }
    quiet_run_ = cpu - last_tick_ <= options_.quiet ? quiet_run_ + 1 : 0;
    last_tick_ = cpu;
    return quiet_run_ >= options_.quiet_ticks && cpu - at_trim_ >= options_.work;
  }
  void Trimmed(std::chrono::nanoseconds cpu) {
    at_trim_ = last_tick_ = cpu;  // the trim's own CPU time is neither work nor quiet
    quiet_run_ = 0;
  }

 private:
  const Options options_;
  std::chrono::nanoseconds last_tick_{-1};
  std::chrono::nanoseconds at_trim_{0};  // CPU time after the last trim (or at the start)
  int quiet_run_ = 0;
};

// CPU time of every thread of this process so far.
inline std::chrono::nanoseconds ProcessCpuTime() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// What ReleaseHeapWhenQuiet samples and calls; tests replace both.
struct HeapReleaseHooks {
  std::function<std::chrono::nanoseconds()> cpu = ProcessCpuTime;
  std::function<void()> trim = ReleaseFreeHeap;
};

// Once per `period` until `stop` returns true: QuietTrim over the process's CPU time, and
// malloc_trim when it asks. `stop(period)` waits up to `period` and says whether to end.
// Called right after a trim (limen-operator's, once its caches synced): the work that follows
// counts from the start, even a burst that is over before the first sample (the initial
// reconciles often are, and were left untrimmed: ≈ 3 MB at 10,000 Pods).
inline void ReleaseHeapWhenQuiet(const std::function<bool(std::chrono::milliseconds)>& stop,
                                 std::chrono::milliseconds period = std::chrono::seconds(1),
                                 const HeapReleaseHooks& hooks = {}) {
  QuietTrim policy;
  policy.Trimmed(hooks.cpu());
  while (!stop(period)) {
    if (!policy.Tick(hooks.cpu())) continue;
    const auto t0 = std::chrono::steady_clock::now();
    hooks.trim();
    policy.Trimmed(hooks.cpu());
    spdlog::debug(
        "returned free heap to the system in {} µs",
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count());
  }
}

}  // namespace limen::op
