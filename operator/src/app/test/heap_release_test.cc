#include "app/heap_release.h"

#include <gtest/gtest.h>

namespace limen::op {
namespace {

using std::chrono::milliseconds;

// Feeds CPU readings one tick apart; returns at which ticks a trim was asked for (and
// reports each trim as costing `trim_cost`).
std::vector<int> Trims(QuietTrim& q, const std::vector<int>& cpu_ms, int trim_cost_ms = 0) {
  std::vector<int> at;
  int extra = 0;  // CPU time the trims added
  for (size_t i = 0; i < cpu_ms.size(); ++i) {
    if (q.Tick(milliseconds(cpu_ms[i] + extra))) {
      at.push_back(static_cast<int>(i));
      extra += trim_cost_ms;
      q.Trimmed(milliseconds(cpu_ms[i] + extra));
    }
  }
  return at;
}

TEST(QuietTrimTest, TrimsOnceWhenQuietAfterWork) {
  QuietTrim q;
  // 0: start; 1-2: 300 ms of work; 3, 4 quiet (5 ms each) → trim at 4; quiet afterwards.
  EXPECT_EQ(Trims(q, {0, 200, 300, 305, 310, 312, 314, 316, 318}), std::vector<int>{4});
}

TEST(QuietTrimTest, NeverTrimsWhileBusy) {
  QuietTrim q;
  EXPECT_TRUE(Trims(q, {0, 100, 200, 300, 400, 500, 600}).empty());
}

TEST(QuietTrimTest, IdleFromTheStartIsNotWorthATrim) {
  QuietTrim q;
  EXPECT_TRUE(Trims(q, {0, 1, 2, 3, 4, 5, 6, 7, 8}).empty());
}

TEST(QuietTrimTest, OneBusyTickBetweenQuietOnesRestartsTheCount) {
  QuietTrim q;
  // Work, one quiet tick, a busy one (a scrape), then two quiet ones: trim at 5 only.
  EXPECT_EQ(Trims(q, {0, 100, 101, 150, 151, 152, 153}), std::vector<int>{5});
}

TEST(QuietTrimTest, TheTrimsOwnCpuTimeDoesNotCountAsWork) {
  QuietTrim q;
  // A trim that costs 60 ms (> the 50 ms of work that makes one worth it) is followed by
  // quiet ticks only: no second trim.
  EXPECT_EQ(Trims(q, {0, 100, 101, 102, 103, 104, 105, 106}, 60), std::vector<int>{3});
}

TEST(QuietTrimTest, EachBurstGetsItsOwnTrim) {
  QuietTrim q;
  EXPECT_EQ(Trims(q, {0, 100, 101, 102, 103, 300, 301, 302, 303}), (std::vector<int>{3, 7}));
}

TEST(QuietTrimTest, SmallWorkAddsUpAcrossQuietTicks) {
  // Lease renewals and the like: 8 ms a tick is quiet, and after 50 ms of it one trim.
  QuietTrim q;
  std::vector<int> cpu;
  cpu.reserve(10);
  for (int i = 0; i < 10; ++i) cpu.push_back(8 * i);
  EXPECT_EQ(Trims(q, cpu), std::vector<int>{7});
}

TEST(QuietTrimTest, ReleaseHeapWhenQuietStopsWhenAsked) {
  int calls = 0;
  ReleaseHeapWhenQuiet([&calls](milliseconds) { return ++calls == 3; }, milliseconds(1));
  EXPECT_EQ(calls, 3);
}

TEST(QuietTrimTest, ReleaseHeapWhenQuietCountsWorkDoneBeforeItsFirstSample) {
  // It starts right after the post-sync trim, at 0 ms of CPU; the initial reconciles (300 ms)
  // are over before its first sample, then the process is quiet (1 ms a tick): one trim,
  // once two quiet ticks have passed.
  int ticks = 0;
  std::vector<int> trims;
  HeapReleaseHooks hooks{.cpu = [&] { return milliseconds(ticks == 0 ? 0 : 300 + ticks); },
                         .trim = [&] { trims.push_back(ticks); }};
  ReleaseHeapWhenQuiet([&](milliseconds) { return ++ticks > 5; }, milliseconds(1), hooks);
  EXPECT_EQ(trims, std::vector<int>{3});
}

}  // namespace
}  // namespace limen::op
