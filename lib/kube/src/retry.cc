#include "limen/kube/retry.h"

#include <algorithm>

namespace limen::kube {
namespace {

bool IsRead(Verb v) { return v == Verb::kGet || v == Verb::kList; }
bool IsIdempotent(Verb v) { return v != Verb::kCreate && v != Verb::kPatch; }

bool ShouldRetry(const ApiError& e, Verb verb) {
  if (e.code == 0) {
    // Nothing reached the server, so even a create or patch cannot be applied twice (Go's
    // transport retries such requests the same way).
    if (e.reason == kReasonRequestNotSent) return true;
    return IsRead(verb) && e.reason != "Cancelled" && e.reason != "Timeout" &&
           e.reason != "DecodeError";
  }
  if (e.code == 429) return true;
  if (e.code >= 500) return IsIdempotent(verb) || e.retry_after.has_value();
  return false;
}

}  // namespace

std::optional<BackoffStrategy::Duration> RetryDelay(const ApiError& error, Verb verb,
                                                    int attempts_made, const RetryPolicy& policy,
                                                    BackoffStrategy& backoff) {
  if (attempts_made >= policy.max_attempts || !ShouldRetry(error, verb)) return std::nullopt;
  if (error.retry_after) {
    const auto wait =
        std::clamp(*error.retry_after, std::chrono::seconds(0), policy.max_retry_after);
    return std::chrono::duration_cast<BackoffStrategy::Duration>(wait);
  }
  return backoff.NextBackOff();
}

}  // namespace limen::kube
