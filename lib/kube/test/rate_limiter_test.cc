#include "limen/kube/rate_limiter.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ItemExponentialFailureRateLimiterTest, DoublesFrom5msCappedAt1000s) {
  ItemExponentialFailureRateLimiter l(milliseconds(5), seconds(1000));
  EXPECT_EQ(l.When("a"), milliseconds(5));
  EXPECT_EQ(l.When("a"), milliseconds(10));
  EXPECT_EQ(l.When("a"), milliseconds(20));
  EXPECT_EQ(l.When("a"), milliseconds(40));
  EXPECT_EQ(l.When("b"), milliseconds(5));  // per item
  EXPECT_EQ(l.NumRequeues("a"), 4);
  for (int i = 0; i < 14; ++i) (void)l.When("a");
  EXPECT_EQ(l.When("a"), seconds(1000));  // 5 ms × 2^18 = 1310.72 s > cap
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(l.When("a"), seconds(1000));  // never overflows
  l.Forget("a");
  EXPECT_EQ(l.NumRequeues("a"), 0);
  EXPECT_EQ(l.When("a"), milliseconds(5));
}

TEST(TokenBucketTest, BurstThenRefillAtQps) {
  FakeClock clock;
  TokenBucket b(10, 100, clock);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(b.Reserve(), Clock::Duration::zero()) << i;
  EXPECT_EQ(b.Reserve(), milliseconds(100));  // the 101st waits one refill
  EXPECT_EQ(b.Reserve(), milliseconds(200));  // reservations queue up
  clock.Advance(milliseconds(300));
  EXPECT_EQ(b.Reserve(), Clock::Duration::zero());
  EXPECT_FALSE(b.TryAccept());
  clock.Advance(seconds(100));  // refills to the burst, not beyond
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(b.TryAccept());
  EXPECT_FALSE(b.TryAccept());
}

TEST(DefaultControllerRateLimiterTest, MaxOfExponentialAndBucket) {
  FakeClock clock;
  auto l = DefaultControllerRateLimiter(clock);
  // Within the burst the per-item exponential dominates.
  EXPECT_EQ(l->When("a"), milliseconds(5));
  EXPECT_EQ(l->When("a"), milliseconds(10));
  for (int i = 0; i < 98; ++i) (void)l->When("k" + std::to_string(i));
  // Bucket exhausted (100 tokens used): a fresh item waits for the bucket, not 5 ms.
  EXPECT_EQ(l->When("fresh"), milliseconds(100));
  EXPECT_EQ(l->NumRequeues("a"), 2);
  l->Forget("a");
  EXPECT_EQ(l->NumRequeues("a"), 0);
}

}  // namespace
}  // namespace limen::kube
