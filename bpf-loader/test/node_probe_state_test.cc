#include "limen/bpf/node_probe_state.h"

#include <gtest/gtest.h>

namespace limen::bpf {
namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

TEST(ShouldWriteStatus, Table) {
  struct Case {
    bool changed;
    std::optional<ms> since;
    bool want;
  };
  const ms interval = 15s;
  for (const auto& c : std::vector<Case>{
           {false, std::nullopt, true},  // first report: always (creates reportedAt)
           {true, std::nullopt, true},
           {true, 15s, true},  // changed, one interval later
           {true, 7s, false},  // changed, but too soon: bounded rate
           {true, 7500ms, true},
           {false, 15s, false},  // unchanged: no write ...
           {false, 22s, false},
           {false, 22500ms, true},  // ... until the heartbeat (1.5 × interval)
           {false, 30s, true},
       }) {
    EXPECT_EQ(ShouldWriteStatus(c.changed, c.since, interval), c.want)
        << "changed=" << c.changed << " since=" << (c.since ? c.since->count() : -1);
  }
}

// Offered a report every interval (with jitter), an unchanged status is written at least
// every 2 × interval, so reportedAt never gets older than 3 × interval (the operator's
// staleness limit) between writes.
TEST(ShouldWriteStatus, HeartbeatKeepsReportedAtFresh) {
  const ms interval = 15s;
  ms now = 0ms, last = 0ms, worst = 0ms;
  std::optional<ms> since;
  for (int i = 0; i < 100; ++i) {
    now += interval + ms(i % 3 == 0 ? 40 : -40);  // timer jitter both ways
    since = now - last;
    if (ShouldWriteStatus(false, since, interval)) {
      worst = std::max(worst, now - last);
      last = now;
    }
  }
  EXPECT_LE(worst, 2 * interval + 100ms);
  EXPECT_LT(worst, 3 * interval);
}

}  // namespace
}  // namespace limen::bpf
