// SleepUnlessStopped: waits for `d` of `clock`'s time in short slices so that a stop flag
// set from another thread ends the wait promptly. Clock::Sleep itself cannot be
// interrupted, and a FakeClock only moves when a test advances it, so a condition variable
// on real time would not do. Internal to lib/kube.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>

#include "limen/kube/clock.h"

namespace limen::kube::internal {

// Returns false if `stop` was set before `d` elapsed.
inline bool SleepUnlessStopped(Clock& clock, Clock::Duration d, const std::atomic<bool>& stop) {
  constexpr Clock::Duration kSlice = std::chrono::milliseconds(50);
  const auto deadline = clock.Monotonic() + d;
  while (!stop.load()) {
    const auto now = clock.Monotonic();
    if (now >= deadline) return true;
    clock.Sleep(std::min<Clock::Duration>(deadline - now, kSlice));
  }
  return false;
}

}  // namespace limen::kube::internal
