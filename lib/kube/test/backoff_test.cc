#include "limen/kube/backoff.h"

#include <gtest/gtest.h>

namespace limen::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ExponentialBackoffTest, DoublesFromBaseUpToCapWithoutJitter) {
  ExponentialBackoff b({milliseconds(800), 2.0, 0.0, seconds(30)});
  const milliseconds want[] = {milliseconds(800),  milliseconds(1600),  milliseconds(3200),
                               milliseconds(6400), milliseconds(12800), milliseconds(25600),
                               seconds(30),        seconds(30)};
  for (auto w : want) EXPECT_EQ(b.NextBackOff(), w);
  b.Reset();
  EXPECT_EQ(b.NextBackOff(), milliseconds(800));
}

TEST(ExponentialBackoffTest, JitterStaysWithinBounds) {
  double r = 0.999;
  ExponentialBackoff b({milliseconds(100), 2.0, 0.5, seconds(1)}, [&] { return r; });
  auto d = b.NextBackOff();
  EXPECT_GE(d, milliseconds(100));
  EXPECT_LE(d, milliseconds(150));
  r = 0.0;
  EXPECT_EQ(b.NextBackOff(), milliseconds(200));
}

TEST(ExponentialBackoffTest, NeverOverflowsAfterManyAttempts) {
  ExponentialBackoff b({milliseconds(5), 2.0, 0.0, seconds(1000)});
  for (int i = 0; i < 10000; ++i) {
    auto d = b.NextBackOff();
    ASSERT_GT(d.count(), 0);
    ASSERT_LE(d, seconds(1000));
  }
}

}  // namespace
}  // namespace limen::kube
