// BackoffStrategy: how long to wait before the next attempt of something that failed.
// An interface (as in Envoy's backoff_strategy.h) so retry loops are testable.
//
// Not thread-safe: each retry loop owns its strategy.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

namespace limen::kube {

class BackoffStrategy {
 public:
  using Duration = std::chrono::nanoseconds;
  virtual ~BackoffStrategy() = default;
  // The delay before the next attempt; grows with each call until Reset().
  virtual Duration NextBackOff() = 0;
  virtual void Reset() = 0;
};

// Exponential back-off with jitter: base, base*factor, ... capped at max; each delay is
// multiplied by a random factor in [1, 1 + jitter]. The same shape as client-go's
// wait.Backoff / apimachinery's exponential backoff manager.
class ExponentialBackoff final : public BackoffStrategy {
 public:
  struct Options {
    Duration base = std::chrono::milliseconds(800);
    double factor = 2.0;
    double jitter = 0.1;  // 0 disables jitter
    Duration max = std::chrono::seconds(30);
  };
  // `random01` returns values in [0, 1); injectable for deterministic tests.
  explicit ExponentialBackoff(Options options, std::function<double()> random01 = {});

  Duration NextBackOff() override;
  void Reset() override { attempt_ = 0; }
  uint32_t attempts() const { return attempt_; }

 private:
  Options options_;
  std::function<double()> random01_;
  uint32_t attempt_ = 0;
};

}  // namespace limen::kube
