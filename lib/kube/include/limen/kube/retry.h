// RetryPolicy: when HttpClient repeats a failed request, and after how long.
//
// The rules (client-go's rest/request.go, made explicit):
//   - 429 TooManyRequests: retried for every verb — the apiserver rejected the request
//     before doing anything with it.
//   - 5xx: retried for idempotent verbs (GET, LIST, PUT, DELETE). POST and PATCH are
//     retried only when the server sent Retry-After (it then promises the request had no
//     effect); otherwise a create that was committed before a 500 would be repeated.
//   - Transport failures (no response): retried for reads (GET, LIST) only; a timeout or a
//     cancellation is never retried (the caller's deadline is spent).
//   - 4xx other than 429, and undecodable 2xx bodies: never retried.
// The delay is Retry-After when the server sent one (capped at max_retry_after), otherwise
// the next jittered exponential back-off. At most max_attempts attempts in total.
//
// Thread-safety: pure function over its arguments; the BackoffStrategy is the caller's.
#pragma once

#include <chrono>
#include <optional>

#include "limen/kube/backoff.h"
#include "limen/kube/errors.h"

namespace limen::kube {

struct RetryPolicy {
  int max_attempts = 5;  // 1 disables retries
  ExponentialBackoff::Options backoff{std::chrono::milliseconds(200), 2.0, 0.2,
                                      std::chrono::seconds(10)};
  std::chrono::seconds max_retry_after{60};
};

enum class Verb { kGet, kList, kCreate, kUpdate, kPatch, kDelete };

// The delay before attempt number `attempts_made + 1`, or nullopt to give up with `error`.
std::optional<BackoffStrategy::Duration> RetryDelay(const ApiError& error, Verb verb,
                                                    int attempts_made, const RetryPolicy& policy,
                                                    BackoffStrategy& backoff);

}  // namespace limen::kube
