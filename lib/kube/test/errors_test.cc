#include "limen/kube/errors.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

TEST(ApiErrorTest, DecodesStatusBody) {
  const std::string body = R"({"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"configmaps \"x\" already exists","reason":"AlreadyExists",
    "details":{"name":"x","kind":"configmaps"},"code":409})";
  ApiError e = ApiError::FromResponse(409, body);
  EXPECT_EQ(e.code, 409);
  EXPECT_EQ(e.reason, "AlreadyExists");
  EXPECT_EQ(e.message, "configmaps \"x\" already exists");
  EXPECT_EQ(e.details["name"], "x");
  EXPECT_TRUE(e.IsAlreadyExists());
  EXPECT_FALSE(e.IsConflict());
  EXPECT_EQ(e.ToStatus().code(), StatusCode::kAlreadyExists);
}

TEST(ApiErrorTest, ConflictAndExpired) {
  ApiError conflict = ApiError::FromResponse(
      409, R"({"kind":"Status","reason":"Conflict","message":"the object has been modified"})");
  EXPECT_TRUE(conflict.IsConflict());
  EXPECT_EQ(conflict.ToStatus().code(), StatusCode::kConflict);

  ApiError gone = ApiError::FromResponse(
      410,
      R"j({"kind":"Status","reason":"Expired","message":"too old resource version: 1 (50)"})j");
  EXPECT_TRUE(gone.IsResourceExpired());
  EXPECT_FALSE(gone.IsRetriable());
}

TEST(ApiErrorTest, NonStatusBodyKeepsCodeAndTruncatedText) {
  ApiError e = ApiError::FromResponse(502, std::string(1000, 'x'));
  EXPECT_EQ(e.reason, "InternalError");
  EXPECT_LE(e.message.size(), 260u);
  EXPECT_TRUE(e.IsRetriable());
  EXPECT_EQ(e.ToStatus().code(), StatusCode::kUnavailable);
}

TEST(ApiErrorTest, RetryAfterFromHeaderOrDetails) {
  EXPECT_EQ(ApiError::FromResponse(429, "", std::chrono::seconds(3)).retry_after,
            std::chrono::seconds(3));
  ApiError e = ApiError::FromResponse(
      429, R"({"kind":"Status","reason":"TooManyRequests","details":{"retryAfterSeconds":7}})");
  EXPECT_EQ(e.retry_after, std::chrono::seconds(7));
  EXPECT_TRUE(e.IsTooManyRequests());
  EXPECT_TRUE(e.IsRetriable());
  EXPECT_EQ(e.message, "the server responded with HTTP 429");
}

TEST(ApiErrorTest, TransportErrors) {
  ApiError refused = ApiError::Transport("ConnectionError", "connection refused");
  EXPECT_TRUE(refused.IsRetriable());
  EXPECT_EQ(refused.ToString(), "transport ConnectionError: connection refused");
  EXPECT_FALSE(ApiError::Transport("Cancelled", "stopped").IsRetriable());
  EXPECT_EQ(ApiError::Transport("Timeout", "10s").ToStatus().code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace limen::kube
