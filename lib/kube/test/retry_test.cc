#include "limen/kube/retry.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

using namespace std::chrono_literals;

class RetryTest : public ::testing::Test {
 protected:
  RetryPolicy policy_;
  ExponentialBackoff backoff_{policy_.backoff, [] { return 0.0; }};  // no jitter
};

TEST_F(RetryTest, TooManyRequestsHonoursRetryAfterForEveryVerb) {
  const ApiError e = ApiError::FromResponse(429, "", 7s);
  for (Verb v : {Verb::kGet, Verb::kCreate, Verb::kPatch, Verb::kDelete}) {
    EXPECT_EQ(RetryDelay(e, v, 1, policy_, backoff_), std::optional<BackoffStrategy::Duration>(7s));
  }
  // Capped: a server asking for an hour does not stall a controller for an hour.
  EXPECT_EQ(RetryDelay(ApiError::FromResponse(429, "", 3600s), Verb::kGet, 1, policy_, backoff_),
            std::optional<BackoffStrategy::Duration>(60s));
}

TEST_F(RetryTest, TooManyRequestsWithoutRetryAfterBacksOffExponentially) {
  const ApiError e = ApiError::FromResponse(429, "");
  EXPECT_EQ(RetryDelay(e, Verb::kGet, 1, policy_, backoff_),
            std::optional<BackoffStrategy::Duration>(200ms));
  EXPECT_EQ(RetryDelay(e, Verb::kGet, 2, policy_, backoff_),
            std::optional<BackoffStrategy::Duration>(400ms));
  EXPECT_EQ(RetryDelay(e, Verb::kGet, 3, policy_, backoff_),
            std::optional<BackoffStrategy::Duration>(800ms));
}

TEST_F(RetryTest, ServerErrors) {
  const ApiError e = ApiError::FromResponse(500, "");
  EXPECT_TRUE(RetryDelay(e, Verb::kGet, 1, policy_, backoff_));
  EXPECT_TRUE(RetryDelay(e, Verb::kUpdate, 1, policy_, backoff_));
  EXPECT_TRUE(RetryDelay(e, Verb::kDelete, 1, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(e, Verb::kCreate, 1, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(e, Verb::kPatch, 1, policy_, backoff_));
  const ApiError with_retry_after = ApiError::FromResponse(503, "", 1s);
  EXPECT_EQ(RetryDelay(with_retry_after, Verb::kCreate, 1, policy_, backoff_),
            std::optional<BackoffStrategy::Duration>(1s));
}

TEST_F(RetryTest, ClientErrorsAreNeverRetried) {
  for (int code : {400, 401, 403, 404, 409, 410, 422}) {
    EXPECT_FALSE(RetryDelay(ApiError::FromResponse(code, ""), Verb::kGet, 1, policy_, backoff_))
        << code;
  }
}

TEST_F(RetryTest, TransportErrorsOnlyForReads) {
  const ApiError refused = ApiError::Transport("ConnectionError", "refused");
  EXPECT_TRUE(RetryDelay(refused, Verb::kGet, 1, policy_, backoff_));
  EXPECT_TRUE(RetryDelay(refused, Verb::kList, 1, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(refused, Verb::kCreate, 1, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(refused, Verb::kUpdate, 1, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(ApiError::Transport("Timeout", "t"), Verb::kGet, 1, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(ApiError::Transport("Cancelled", "c"), Verb::kGet, 1, policy_, backoff_));
  EXPECT_FALSE(
      RetryDelay(ApiError::Transport("DecodeError", "d"), Verb::kGet, 1, policy_, backoff_));
}

TEST_F(RetryTest, RequestsThatNeverReachedTheServerAreRetriedForEveryVerb) {
  const ApiError not_sent =
      ApiError::Transport(std::string(kReasonRequestNotSent), "Failed to write request body");
  for (Verb v : {Verb::kGet, Verb::kCreate, Verb::kPatch, Verb::kUpdate, Verb::kDelete}) {
    EXPECT_TRUE(RetryDelay(not_sent, v, 1, policy_, backoff_));
  }
  EXPECT_FALSE(RetryDelay(not_sent, Verb::kCreate, policy_.max_attempts, policy_, backoff_));
}

TEST_F(RetryTest, AttemptsAreBounded) {
  const ApiError e = ApiError::FromResponse(503, "");
  EXPECT_TRUE(RetryDelay(e, Verb::kGet, 4, policy_, backoff_));
  EXPECT_FALSE(RetryDelay(e, Verb::kGet, 5, policy_, backoff_));
  RetryPolicy none;
  none.max_attempts = 1;
  EXPECT_FALSE(RetryDelay(e, Verb::kGet, 1, none, backoff_));
}

}  // namespace
}  // namespace limen::kube
