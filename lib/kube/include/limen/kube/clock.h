// Clock: the source of time for every time-dependent decision in lib/kube (back-off,
// rate limits, lease expiry, requeue delays), so tests can drive time by hand.
//
// Two notions of time, as in Go's time package: Now() is wall-clock time for values that
// are written to the API (lease renewTime, event timestamps); Monotonic() is for measuring
// intervals and deadlines. Implementations must be thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace limen::kube {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::nanoseconds;

  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime Monotonic() const = 0;
  // Blocks the calling thread for d of this clock's time.
  virtual void Sleep(Duration d) = 0;
};

// The process's real clocks. Stateless; one shared instance.
class RealClock final : public Clock {
 public:
  static RealClock& Instance();
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
  void Sleep(Duration d) override;
};

// A clock that moves only when a test calls Advance(); Sleep() blocks until it has been
// advanced far enough. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime{} + std::chrono::hours(24 * 365 * 50));
  WallTime Now() const override;
  MonoTime Monotonic() const override;
  void Sleep(Duration d) override;
  void Advance(Duration d);
  // Number of threads currently blocked in Sleep(); lets tests wait for a sleeper.
  int Sleepers() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Duration elapsed_{0};  // guarded by mu_
  WallTime start_;       // constant after construction
  int sleepers_ = 0;     // guarded by mu_
};

}  // namespace limen::kube
