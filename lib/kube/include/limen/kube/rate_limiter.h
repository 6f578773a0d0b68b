// Rate limiters for the WorkQueue and the EventRecorder — client-go's
// util/workqueue/default_rate_limiters.go and golang.org/x/time/rate's token bucket.
//
//   RateLimiter                        When(item) → how long until the item may be retried
//   ItemExponentialFailureRateLimiter  base × 2^failures, capped (per item)
//   BucketRateLimiter                  one token bucket shared by all items
//   MaxOfRateLimiter                   the longest of several
//   DefaultControllerRateLimiter()     max(exponential 5 ms → 1000 s, bucket 10/s burst 100)
//
// Thread-safety: every class here is safe for concurrent use (internally locked).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "limen/kube/clock.h"

namespace limen::kube {

// A token bucket (golang.org/x/time/rate.Limiter): `qps` tokens per second refill a bucket
// of `burst`; starts full.
class TokenBucket {
 public:
  TokenBucket(double qps, int burst, Clock& clock = RealClock::Instance());
  // Takes a token if one is available now.
  bool TryAccept();
  // Reserves a token and returns how long until it is available (0 if now). Reservations
  // queue: the bucket may go negative, so callers that wait the returned delay are spaced.
  Clock::Duration Reserve();

 private:
  void RefillLocked(Clock::MonoTime now);

  // Constant after construction.
  const double qps_;
  const double burst_;
  Clock& clock_;

  std::mutex mu_;
  double tokens_;         // guarded by mu_
  Clock::MonoTime last_;  // guarded by mu_
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long to wait before the item is processed again; counts a failure.
  virtual Clock::Duration When(const std::string& item) = 0;
  // Stops tracking the item (it succeeded).
  virtual void Forget(const std::string& item) = 0;
  // Failures counted for the item since the last Forget.
  virtual int NumRequeues(const std::string& item) = 0;
};

class ItemExponentialFailureRateLimiter final : public RateLimiter {
 public:
  ItemExponentialFailureRateLimiter(Clock::Duration base, Clock::Duration max);
  Clock::Duration When(const std::string& item) override;
  void Forget(const std::string& item) override;
  int NumRequeues(const std::string& item) override;

 private:
  const Clock::Duration base_;
  const Clock::Duration max_;
  std::mutex mu_;
  std::unordered_map<std::string, int> failures_;  // guarded by mu_
};

class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, Clock& clock = RealClock::Instance())
      : bucket_(qps, burst, clock) {}
  Clock::Duration When(const std::string&) override { return bucket_.Reserve(); }
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  TokenBucket bucket_;
};

class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters);
  Clock::Duration When(const std::string& item) override;
  void Forget(const std::string& item) override;
  int NumRequeues(const std::string& item) override;

 private:
  const std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

// client-go's DefaultControllerRateLimiter: per-item 5 ms × 2^n up to 1000 s, and overall
// 10 qps with a burst of 100; an item waits for the longer of the two.
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(Clock& clock = RealClock::Instance());

}  // namespace limen::kube
