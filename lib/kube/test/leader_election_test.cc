#include "limen/kube/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fake_client.h"
#include "limen/kube/time_format.h"

namespace limen::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeClient;

LeaderElectionConfig Config(const std::string& identity) {
  LeaderElectionConfig c;
  c.lease_namespace = "limen-system";
  c.lease_name = "limen-operator";
  c.identity = identity;
  return c;
}

Object Lease(FakeClient& client) {
  auto got = client.Get(resources::kLeases, "limen-system", "limen-operator");
  EXPECT_TRUE(got.ok());
  return got.ok() ? *got : Object();
}

TEST(LeaderElectionConfigTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateLeaderElectionConfig(Config("a")).ok());
  LeaderElectionConfig c = Config("a");
  EXPECT_EQ(c.lease_duration, seconds(15));
  EXPECT_EQ(c.renew_deadline, seconds(10));
  EXPECT_EQ(c.retry_period, seconds(2));
}

TEST(LeaderElectionConfigTest, RejectsBadDurationsWithAClearMessage) {
  LeaderElectionConfig c = Config("a");
  c.lease_duration = seconds(10);
  Status s = ValidateLeaderElectionConfig(c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      s.message().find("lease duration (10000 ms) must be greater than renew deadline (10000 ms)"),
      std::string::npos)
      << s.message();

  c = Config("a");
  c.renew_deadline = milliseconds(2400);  // == 1.2 × 2 s
  s = ValidateLeaderElectionConfig(c);
  EXPECT_NE(s.message().find("1.2 × retry period"), std::string::npos) << s.message();
  c.renew_deadline = milliseconds(2401);
  EXPECT_TRUE(ValidateLeaderElectionConfig(c).ok());

  c = Config("");
  EXPECT_NE(ValidateLeaderElectionConfig(c).message().find("identity"), std::string::npos);
  c = Config("a");
  c.retry_period = milliseconds(0);
  EXPECT_FALSE(ValidateLeaderElectionConfig(c).ok());
  FakeClient client;
  EXPECT_FALSE(LeaderElector::Create(client, c).ok());
}

TEST(LeaderElectorTest, AcquireRenewExpireAndTakeOver) {
  FakeClient client;
  FakeClock clock;
  std::vector<std::string> leaders;
  LeaderElectionConfig ca = Config("a");
  ca.on_new_leader = [&](const std::string& id) { leaders.push_back(id); };
  auto a = LeaderElector::Create(client, ca, clock);
  auto b = LeaderElector::Create(client, Config("b"), clock);
  ASSERT_TRUE(a.ok() && b.ok());

  ASSERT_TRUE((*a)->TryAcquireOrRenew());  // creates the Lease
  Object lease = Lease(client);
  EXPECT_EQ(lease["spec"]["holderIdentity"], "a");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 0);
  // RFC 3339 with microseconds, e.g. "2026-11-26T08:00:00.000000Z".
  const std::string renew = lease["spec"]["renewTime"];
  auto parsed = ParseTime(renew);
  ASSERT_TRUE(parsed.has_value()) << renew;
  EXPECT_EQ(renew.size(), 27u);
  EXPECT_EQ(FormatMicroTime(*parsed), renew);
  const std::string acquired = lease["spec"]["acquireTime"];

  EXPECT_FALSE((*b)->TryAcquireOrRenew());  // held, fresh
  EXPECT_EQ((*b)->GetLeader(), "a");
  clock.Advance(seconds(10));
  ASSERT_TRUE((*a)->TryAcquireOrRenew());  // renew keeps acquireTime, moves renewTime
  lease = Lease(client);
  EXPECT_EQ(lease["spec"]["acquireTime"], acquired);
  EXPECT_NE(lease["spec"]["renewTime"], acquired);
  clock.Advance(seconds(10));
  // 20 s since a's first write, but b saw the renewal only now: not expired for b.
  EXPECT_FALSE((*b)->TryAcquireOrRenew());
  clock.Advance(seconds(14));
  EXPECT_FALSE((*b)->TryAcquireOrRenew());
  clock.Advance(seconds(1));  // 15 s since b observed the last change
  ASSERT_TRUE((*b)->TryAcquireOrRenew());
  lease = Lease(client);
  EXPECT_EQ(lease["spec"]["holderIdentity"], "b");
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 1);
  EXPECT_FALSE((*a)->TryAcquireOrRenew());  // a lost it
  EXPECT_EQ(leaders, (std::vector<std::string>{"a", "b"}));
}

TEST(LeaderElectorTest, StaleWriteIsRejectedWithConflict) {
  FakeClient client;
  FakeClock clock;
  auto a = LeaderElector::Create(client, Config("a"), clock);
  ASSERT_TRUE((*a)->TryAcquireOrRenew());
  Object stale = Lease(client);
  clock.Advance(seconds(2));
  ASSERT_TRUE((*a)->TryAcquireOrRenew());
  stale["spec"]["holderIdentity"] = "intruder";
  auto r = client.Update(resources::kLeases, "limen-system", stale);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().IsConflict());
}

// Advances the fake clock in small steps while `done` is false, for at most `limit`.
template <class F>
Clock::Duration AdvanceUntil(FakeClock& clock, F done, Clock::Duration limit) {
  Clock::Duration advanced{0};
  while (!done() && advanced < limit) {
    if (clock.Sleepers() == 0) {
      std::this_thread::yield();
      continue;
    }
    clock.Advance(milliseconds(50));
    advanced += milliseconds(50);
    // Let the woken thread run before moving time again, or the clock races ahead of it.
    std::this_thread::sleep_for(milliseconds(1));
  }
  return advanced;
}

TEST(LeaderElectorTest, LeaderThatCannotRenewStopsLeadingAfterRenewDeadline) {
  FakeClient client;
  FakeClock clock;
  std::atomic<bool> started{false}, stopped{false};
  Clock::MonoTime stopped_at{};
  LeaderElectionConfig c = Config("a");
  c.on_started_leading = [&] { started = true; };
  c.on_stopped_leading = [&] {
    stopped_at = clock.Monotonic();
    stopped = true;
  };
  auto a = LeaderElector::Create(client, c, clock);
  std::thread run([&] { (*a)->Run(); });
  AdvanceUntil(
      clock, [&] { return started.load(); }, seconds(5));
  ASSERT_TRUE(started);
  EXPECT_TRUE((*a)->IsLeader());
  client.SetFault([](const std::string& verb, const Resource&) -> std::optional<ApiError> {
    if (verb == "update") return ApiError::Transport("ConnectionError", "apiserver unreachable");
    return std::nullopt;
  });
  const auto fault_at = clock.Monotonic();
  AdvanceUntil(
      clock, [&] { return stopped.load(); }, seconds(60));
  run.join();
  const auto took = stopped_at - fault_at;
  EXPECT_TRUE(stopped);
  EXPECT_FALSE((*a)->IsLeader());
  EXPECT_GE(took, seconds(10));
  EXPECT_LE(took, seconds(13));
}

TEST(LeaderElectorTest, ReleasesOnCleanShutdown) {
  FakeClient client;
  FakeClock clock;
  std::atomic<bool> started{false};
  LeaderElectionConfig c = Config("a");
  c.on_started_leading = [&] { started = true; };
  auto a = LeaderElector::Create(client, c, clock);
  std::thread run([&] { (*a)->Run(); });
  AdvanceUntil(
      clock, [&] { return started.load(); }, seconds(5));
  (*a)->Stop();
  std::atomic<bool> joined{false};
  std::thread joiner([&] {
    run.join();
    joined = true;
  });
  AdvanceUntil(
      clock, [&] { return joined.load(); }, seconds(5));
  joiner.join();
  Object lease = Lease(client);
  EXPECT_EQ(lease["spec"]["holderIdentity"], "");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 1);
  // Another candidate takes it at once instead of after 15 s.
  auto b = LeaderElector::Create(client, Config("b"), clock);
  EXPECT_TRUE((*b)->TryAcquireOrRenew());
}

}  // namespace
}  // namespace limen::kube
