#include "limen/kube/workqueue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

namespace limen::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

WorkQueue::Options WithClock(Clock& clock) {
  WorkQueue::Options o;
  o.clock = &clock;
  o.rate_limiter = DefaultControllerRateLimiter(clock);
  return o;
}

TEST(WorkQueueTest, AddsCoalesce) {
  WorkQueue q;
  q.Add("a");
  q.Add("a");
  q.Add("b");
  EXPECT_EQ(q.Len(), 2u);
}

TEST(WorkQueueTest, AddDuringProcessingIsQueuedOnlyAfterDone) {
  WorkQueue q;
  q.Add("a");
  ASSERT_EQ(q.Get(), "a");
  q.Add("a");
  q.Add("a");
  EXPECT_EQ(q.Len(), 0u);  // never handed to a second worker while processing
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "a");
  q.Done("a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, EightWorkersNeverProcessOneKeyConcurrently) {
  WorkQueue q;
  constexpr int kKeys = 64, kAdds = 10000, kWorkers = 8;
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> overlaps{0}, processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard lock(mu);
          if (!in_flight.insert(*key).second) ++overlaps;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mu);
          in_flight.erase(*key);
        }
        ++processed;
        q.Done(*key);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kAdds / 4; ++i) q.Add("key-" + std::to_string((i * 7 + p) % kKeys));
    });
  }
  for (auto& t : producers) t.join();
  q.ShutDownWithDrain();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps, 0);
  EXPECT_GE(processed, kKeys);
  EXPECT_LE(processed, kAdds);
}

TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddAfter("a", seconds(1));
  EXPECT_EQ(q.Len(), 0u);
  auto got = std::async(std::launch::async, [&] { return q.Get(); });
  EXPECT_EQ(got.wait_for(milliseconds(30)), std::future_status::timeout);
  clock.Advance(seconds(1));
  EXPECT_EQ(got.get(), "a");
}

TEST(WorkQueueTest, AddRateLimitedBacksOffPerItemAndForgetResets) {
  FakeClock clock;
  WorkQueue q(WithClock(clock));
  q.AddRateLimited("a");  // 5 ms
  q.AddRateLimited("a");  // 10 ms
  EXPECT_EQ(q.NumRequeues("a"), 2);
  clock.Advance(milliseconds(5));
  EXPECT_EQ(q.Get(), "a");
  q.Done("a");
  q.Forget("a");
  EXPECT_EQ(q.NumRequeues("a"), 0);
}

TEST(WorkQueueTest, ShutDownHandsOutQueuedKeysThenStops) {
  WorkQueue q;
  q.Add("a");
  q.AddAfter("later", seconds(60));
  q.ShutDown();
  q.Add("ignored");
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), std::nullopt);
  EXPECT_TRUE(q.ShuttingDown());
}

TEST(WorkQueueTest, ShutDownWithDrainWaitsForInFlightWork) {
  WorkQueue q;
  q.Add("a");
  ASSERT_EQ(q.Get(), "a");
  std::atomic<bool> drained{false};
  std::thread t([&] {
    q.ShutDownWithDrain();
    drained = true;
  });
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_FALSE(drained);
  q.Done("a");
  t.join();
  EXPECT_TRUE(drained);
}

}  // namespace
}  // namespace limen::kube
