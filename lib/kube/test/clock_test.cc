#include "limen/kube/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace limen::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  const auto wall = clock.Now();
  const auto mono = clock.Monotonic();
  clock.Advance(seconds(5));
  EXPECT_EQ(clock.Now() - wall, seconds(5));
  EXPECT_EQ(clock.Monotonic() - mono, seconds(5));
}

TEST(FakeClockTest, SleepWakesWhenAdvancedFarEnough) {
  FakeClock clock;
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.Sleep(seconds(10));
    woke = true;
  });
  while (clock.Sleepers() == 0) std::this_thread::yield();
  clock.Advance(seconds(9));
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_FALSE(woke);
  clock.Advance(seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke);
}

TEST(RealClockTest, MonotonicAdvances) {
  auto& clock = RealClock::Instance();
  const auto before = clock.Monotonic();
  clock.Sleep(milliseconds(2));
  EXPECT_GE(clock.Monotonic() - before, milliseconds(2));
}

}  // namespace
}  // namespace limen::kube
