#include "limen/api/resilience_policy.h"

namespace limen::api {

void SetDefaults(CircuitBreaker& breaker) {
  if (!breaker.threshold_percent) breaker.threshold_percent = 60;
  if (!breaker.min_request_amount) breaker.min_request_amount = 20;
  if (!breaker.stat_interval_seconds) breaker.stat_interval_seconds = 10;
  if (!breaker.bucket_count) breaker.bucket_count = 1;
  if (!breaker.retry_timeout_seconds) breaker.retry_timeout_seconds = 5;
  if (!breaker.probe_num) breaker.probe_num = 1;
}

void SetDefaults(Retries& retries) {
  if (!retries.attempts) retries.attempts = 2;
  if (!retries.backoff) retries.backoff.emplace();
  if (!retries.backoff->base) retries.backoff->base = "25ms";
  if (!retries.backoff->max) retries.backoff->max = "250ms";
}

void SetDefaults(ResiliencePolicySpec& spec) {
  for (CircuitBreaker& breaker : spec.circuit_breakers) SetDefaults(breaker);
  if (spec.retries) SetDefaults(*spec.retries);
  if (!spec.timeout) spec.timeout = "15s";
  if (spec.health_check && !spec.health_check->timeout) spec.health_check->timeout = "3s";
  if (!spec.degraded_response) spec.degraded_response.emplace();
  if (!spec.degraded_response->status) spec.degraded_response->status = 503;
  if (spec.sidecar) {
    if (!spec.sidecar->log_level) spec.sidecar->log_level = "info";
    if (!spec.sidecar->concurrency) spec.sidecar->concurrency = 1;
  }
}

void SetDefaults(ResiliencePolicy& policy) { SetDefaults(policy.spec); }

}  // namespace limen::api
