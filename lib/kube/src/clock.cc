#include "limen/kube/clock.h"

#include <thread>

namespace limen::kube {

RealClock& RealClock::Instance() {
  static RealClock clock;
  return clock;
}

void RealClock::Sleep(Duration d) { std::this_thread::sleep_for(d); }

FakeClock::FakeClock(WallTime start) : start_(start) {}

Clock::WallTime FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return start_ + std::chrono::duration_cast<WallTime::duration>(elapsed_);
}

Clock::MonoTime FakeClock::Monotonic() const {
  std::lock_guard lock(mu_);
  return MonoTime{} + std::chrono::duration_cast<MonoTime::duration>(elapsed_);
}

void FakeClock::Sleep(Duration d) {
  std::unique_lock lock(mu_);
  const Duration wake = elapsed_ + d;
  ++sleepers_;
  cv_.wait(lock, [&] { return elapsed_ >= wake; });
  --sleepers_;
}

void FakeClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    elapsed_ += d;
  }
  cv_.notify_all();
}

int FakeClock::Sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

}  // namespace limen::kube
