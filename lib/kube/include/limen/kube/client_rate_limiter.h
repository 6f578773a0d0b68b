// ClientRateLimiter: the client-side request rate limit of HttpClient — a token bucket
// (client-go's flowcontrol.NewTokenBucketRateLimiter): `qps` tokens per second refill a
// bucket of `burst` tokens; each request takes one, waiting when the bucket is empty.
// client-go's defaults are QPS 20, burst 30. qps <= 0 disables the limit (for
// latency-critical callers such as leader election).
//
// Waiting callers reserve their token under the lock (the bucket may go negative, as Go's
// rate.Limiter does) and sleep outside it, so concurrent callers are served in order
// without holding the lock while asleep.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <mutex>

#include "limen/kube/clock.h"

namespace limen::kube {

class ClientRateLimiter {
 public:
  struct Options {
    double qps = 20;
    int burst = 30;
  };
  // `clock` must outlive the limiter.
  ClientRateLimiter(Options options, Clock& clock);

  bool enabled() const { return options_.qps > 0; }
  // Takes a token, sleeping on the clock until one is available.
  void Wait();
  // Takes a token if one is available now.
  bool TryAccept();
  // Reserves a token and returns how long its holder must wait (0 if available now).
  Clock::Duration Reserve();

 private:
  void RefillLocked(Clock::MonoTime now);

  const Options options_;  // constant after construction
  Clock& clock_;

  std::mutex mu_;
  double tokens_;         // guarded by mu_; negative = reserved ahead
  Clock::MonoTime last_;  // guarded by mu_
};

}  // namespace limen::kube
