#include "limen/kube/client_rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>

namespace limen::kube {
namespace {

using namespace std::chrono_literals;

TEST(ClientRateLimiterTest, BurstThenQps) {
  FakeClock clock;
  ClientRateLimiter limiter({20, 30}, clock);  // client-go's defaults
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(limiter.TryAccept()) << i;
  EXPECT_FALSE(limiter.TryAccept());
  clock.Advance(50ms);  // 1/20 s refills one token
  EXPECT_TRUE(limiter.TryAccept());
  EXPECT_FALSE(limiter.TryAccept());
  clock.Advance(10s);  // never more than the burst
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(limiter.TryAccept()) << i;
  EXPECT_FALSE(limiter.TryAccept());
}

TEST(ClientRateLimiterTest, ReservationsQueueUpInOrder) {
  FakeClock clock;
  ClientRateLimiter limiter({10, 1}, clock);
  EXPECT_EQ(limiter.Reserve(), 0ns);
  EXPECT_EQ(limiter.Reserve(), 100ms);
  EXPECT_EQ(limiter.Reserve(), 200ms);
  clock.Advance(300ms);
  EXPECT_EQ(limiter.Reserve(), 0ns);
}

TEST(ClientRateLimiterTest, WaitSleepsOnTheClock) {
  FakeClock clock;
  ClientRateLimiter limiter({5, 1}, clock);
  limiter.Wait();  // the burst token
  std::thread waiter([&] { limiter.Wait(); });
  while (clock.Sleepers() == 0) std::this_thread::sleep_for(1ms);
  clock.Advance(200ms);
  waiter.join();
}

TEST(ClientRateLimiterTest, DisabledNeverWaits) {
  FakeClock clock;
  ClientRateLimiter limiter({0, 0}, clock);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.Reserve(), 0ns);
  EXPECT_TRUE(limiter.TryAccept());
}

}  // namespace
}  // namespace limen::kube
