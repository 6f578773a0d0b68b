#include "handler_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace limen::serving {
namespace {

TEST(HandlerPoolTest, RunsOnAPoolThreadAndReturnsAfterTheCallReturned) {
  HandlerPool pool(2);
  std::thread::id ran_on;
  bool finished = false;
  pool.Run([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ran_on = std::this_thread::get_id();
    finished = true;
  });
  EXPECT_TRUE(finished);
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_EQ(pool.Threads(), 2U);
}

TEST(HandlerPoolTest, ManyCallersShareTheThreadsAtMostThatManyAtOnce) {
  HandlerPool pool(2);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> calls{0};
  std::mutex mu;
  std::set<std::thread::id> threads;  // guarded by mu
  std::vector<std::thread> callers;
  callers.reserve(8);
  for (int c = 0; c < 8; ++c) {
    callers.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        pool.Run([&] {
          const int now = ++running;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          {
            std::lock_guard lock(mu);
            threads.insert(std::this_thread::get_id());
          }
          --running;
          ++calls;
        });
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(calls.load(), 200);
  EXPECT_EQ(most.load(), 2);
  EXPECT_EQ(threads.size(), 2U);
}

TEST(HandlerPoolTest, OneThreadServesCallsInArrivalOrder) {
  HandlerPool pool(1);
  std::atomic<bool> started{false}, release{false};
  std::vector<int> order;  // written by the pool's one thread only
  std::thread first([&] {
    pool.Run([&] {
      started = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      order.push_back(0);
    });
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<std::thread> later;
  for (int i = 1; i <= 3; ++i) {
    later.emplace_back([&, i] { pool.Run([&, i] { order.push_back(i); }); });
    // The next caller arrives only once this one waits in the queue.
    while (pool.Queued() < static_cast<size_t>(i)) std::this_thread::yield();
  }
  release = true;
  first.join();
  for (auto& t : later) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(pool.Queued(), 0U);
}

TEST(HandlerPoolTest, RenewReplacesTheThreads) {
  HandlerPool pool(1);
  std::thread::id before, after;
  pool.Run([&] { before = std::this_thread::get_id(); });
  pool.Renew();
  pool.Run([&] { after = std::this_thread::get_id(); });
  EXPECT_NE(before, after);
  EXPECT_EQ(pool.Threads(), 1U);
}

TEST(HandlerPoolTest, CallsInFlightAndQueuedDuringRenewalsAllComplete) {
  HandlerPool pool(2);
  std::atomic<int> calls{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> callers;
  callers.reserve(6);
  for (int c = 0; c < 6; ++c) {
    callers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        pool.Run([&] {
          std::this_thread::sleep_for(std::chrono::microseconds(50));
          ++calls;
        });
      }
    });
  }
  std::thread renewer([&] {
    while (!done) {
      pool.Renew();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  for (auto& t : callers) t.join();
  done = true;
  renewer.join();
  EXPECT_EQ(calls.load(), 1200);
  EXPECT_EQ(pool.Queued(), 0U);
}

TEST(HandlerPoolTest, WithoutThreadsACallRunsOnTheCaller) {
  HandlerPool pool(0);
  std::thread::id ran_on;
  pool.Run([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(HandlerPoolTest, DestructionJoinsIdleThreads) {
  for (int i = 0; i < 20; ++i) {
    HandlerPool pool(3);
    int ran = 0;
    pool.Run([&] { ++ran; });
    EXPECT_EQ(ran, 1);
  }
}

}  // namespace
}  // namespace limen::serving
