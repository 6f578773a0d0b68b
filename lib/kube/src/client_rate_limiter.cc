#include "limen/kube/client_rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace limen::kube {

ClientRateLimiter::ClientRateLimiter(Options options, Clock& clock)
    : options_(options),
      clock_(clock),
      tokens_(std::max(options.burst, 1)),
      last_(clock.Monotonic()) {}

void ClientRateLimiter::RefillLocked(Clock::MonoTime now) {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ =
      std::min(tokens_ + elapsed * options_.qps, static_cast<double>(std::max(options_.burst, 1)));
}

Clock::Duration ClientRateLimiter::Reserve() {
  if (!enabled()) return Clock::Duration::zero();
  std::lock_guard lock(mu_);
  RefillLocked(clock_.Monotonic());
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::Duration::zero();
  const double wait_seconds = -tokens_ / options_.qps;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(wait_seconds));
}

void ClientRateLimiter::Wait() {
  const Clock::Duration wait = Reserve();
  if (wait > Clock::Duration::zero()) clock_.Sleep(wait);
}

bool ClientRateLimiter::TryAccept() {
  if (!enabled()) return true;
  std::lock_guard lock(mu_);
  RefillLocked(clock_.Monotonic());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace limen::kube
