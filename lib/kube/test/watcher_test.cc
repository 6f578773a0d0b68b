#include "limen/kube/watcher.h"

#include <gtest/gtest.h>

#include <thread>

#include "fake_client.h"
#include "limen/kube/store.h"
#include "watcher_steps.h"

namespace limen::kube {
namespace {

using testing::Eventually;
using testing::Expired;
using testing::FakeClient;
using testing::ListOf;
using testing::MakeObject;
using testing::NoBackoff;
using testing::Types;
using testing::WatchOf;
using watcher::Action;
using watcher::Step;
using watcher::StepResult;
using Type = WatcherEvent::Type;

ObjectList Page(int from, int to, std::string rv, std::string cont = "") {
  ObjectList l;
  for (int i = from; i < to; ++i)
    l.items.push_back(MakeObject("ns", "pod-" + std::to_string(i), std::to_string(i)));
  l.resource_version = std::move(rv);
  l.continue_token = std::move(cont);
  return l;
}

// LIST+WATCH: watch-list has its own tests (watch_list_test.cc).
WatcherConfig Config(int64_t page = 500) {
  WatcherConfig c;
  c.watch_list = false;
  c.page_size = page;
  c.random01 = [] { return 0.5; };
  return c;
}

// client-go's TestReflectorRelistsIfExpired sequence: the first list at "0", a relist at the
// last resourceVersion, and when that is expired too, a list at "".
TEST(WatcherStepTest, RelistAfterExpiredWatchUsesLastThenEmptyResourceVersion) {
  const WatcherConfig c = Config();
  std::vector<std::string> list_rvs;

  StepResult r = Step(watcher::Empty{}, watcher::Tick{}, c);
  list_rvs.push_back(ListOf(r).resource_version);
  EXPECT_EQ(ListOf(r).limit, 500);
  EXPECT_EQ(ListOf(r).resource_version_match, "NotOlderThan");

  r = Step(r.state, watcher::ListDone{Page(0, 4, "10")}, c);
  EXPECT_EQ(Types(r), (std::vector<Type>{Type::kInit, Type::kInitApply, Type::kInitApply,
                                         Type::kInitApply, Type::kInitApply, Type::kInitDone}));
  EXPECT_EQ(WatchOf(r).resource_version, "10");
  EXPECT_TRUE(WatchOf(r).allow_bookmarks);

  r = Step(r.state, watcher::WatchOpened{std::nullopt}, c);
  ASSERT_TRUE(std::holds_alternative<watcher::ReadStream>(r.action));
  r = Step(r.state, watcher::StreamEnded{Expired()}, c);  // 410 on the open stream
  list_rvs.push_back(ListOf(r).resource_version);
  EXPECT_EQ(ListOf(r).resource_version_match, "NotOlderThan");

  r = Step(r.state, watcher::ListDone{Expired()}, c);  // the relist at "10" is expired too
  list_rvs.push_back(ListOf(r).resource_version);
  EXPECT_EQ(ListOf(r).resource_version_match, "");

  r = Step(r.state, watcher::ListDone{Page(0, 8, "11")}, c);
  EXPECT_EQ(r.events.size(), 10u);
  EXPECT_EQ(WatchOf(r).resource_version, "11");
  EXPECT_EQ(list_rvs, (std::vector<std::string>{"0", "10", ""}));
}

// client-go's TestReflectorFullListIfExpired: an expired continue token falls back to one
// unpaginated list at the same resourceVersion.
TEST(WatcherStepTest, ExpiredContinueTokenFallsBackToFullListAtSameVersion) {
  const WatcherConfig c = Config(4);
  std::vector<std::string> list_rvs;
  watcher::State s = watcher::Empty{"10", false};  // a relist after an earlier sync at 10

  StepResult r = Step(s, watcher::Tick{}, c);
  list_rvs.push_back(ListOf(r).resource_version);
  r = Step(r.state, watcher::ListDone{Page(0, 4, "11", "C1")}, c);
  EXPECT_EQ(ListOf(r).continue_token, "C1");
  EXPECT_EQ(ListOf(r).limit, 4);
  list_rvs.push_back(ListOf(r).resource_version);  // a continue carries no resourceVersion
  r = Step(r.state, watcher::ListDone{Expired()}, c);
  list_rvs.push_back(ListOf(r).resource_version);
  EXPECT_EQ(ListOf(r).limit, 0);
  EXPECT_TRUE(ListOf(r).continue_token.empty());
  r = Step(r.state, watcher::ListDone{Page(0, 8, "11")}, c);
  // A new kInit restarts the buffer, so the four objects of the failed page are dropped.
  EXPECT_EQ(r.events.front().type, Type::kInit);
  EXPECT_EQ(r.events.size(), 10u);
  EXPECT_EQ(list_rvs, (std::vector<std::string>{"10", "", "10"}));
}

// WatcherConfig::protobuf_lists reaches every LIST, first pages and continued ones alike.
TEST(WatcherStepTest, ListsAskForProtobufWhenConfigured) {
  WatcherConfig c = Config(4);
  StepResult r = Step(watcher::Empty{}, watcher::Tick{}, c);
  EXPECT_FALSE(ListOf(r).protobuf);
  c.protobuf_lists = true;
  r = Step(watcher::Empty{}, watcher::Tick{}, c);
  EXPECT_TRUE(ListOf(r).protobuf);
  r = Step(r.state, watcher::ListDone{Page(0, 4, "11", "C1")}, c);
  EXPECT_EQ(ListOf(r).continue_token, "C1");
  EXPECT_TRUE(ListOf(r).protobuf);
}

TEST(WatcherStepTest, TooManyRequestsOnWatchBacksOffWithoutRelisting) {
  const WatcherConfig c = Config();
  ApiError busy = ApiError::FromResponse(429, R"({"kind":"Status","reason":"TooManyRequests"})",
                                         std::chrono::seconds(7));
  StepResult r = Step(watcher::InitListed{"42"}, watcher::WatchOpened{busy}, c);
  auto* b = std::get_if<watcher::BackoffAction>(&r.action);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->retry_after, std::chrono::seconds(7));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_EQ(WatchOf(r).resource_version, "42");

  r = Step(watcher::Watching{"43"}, watcher::StreamEnded{busy}, c);  // mid-stream
  ASSERT_TRUE(std::holds_alternative<watcher::BackoffAction>(r.action));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_EQ(WatchOf(r).resource_version, "43");
}

TEST(WatcherStepTest, BookmarkOnlyAdvancesResourceVersion) {
  const WatcherConfig c = Config();
  WatchEvent bookmark{WatchEvent::Type::kBookmark, MakeObject("", "", "57")};
  StepResult r = Step(watcher::Watching{"50"}, watcher::StreamEvent{bookmark}, c);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(watcher::ResourceVersionOf(r.state), "57");
  ASSERT_TRUE(std::holds_alternative<watcher::ReadStream>(r.action));
}

TEST(WatcherStepTest, CleanEndResumesFromLastResourceVersionAtOnce) {
  const WatcherConfig c = Config();
  WatchEvent mod{WatchEvent::Type::kModified, MakeObject("ns", "a", "61")};
  StepResult r = Step(watcher::Watching{"60"}, watcher::StreamEvent{mod}, c);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].type, Type::kApply);
  r = Step(r.state, watcher::StreamEnded{std::nullopt}, c);
  EXPECT_EQ(WatchOf(r).resource_version, "61");
}

TEST(WatcherStepTest, VeryShortCleanEndBacksOff) {
  StepResult r = Step(watcher::Watching{"60"}, watcher::StreamEnded{std::nullopt, true}, Config());
  ASSERT_TRUE(std::holds_alternative<watcher::BackoffAction>(r.action));
  EXPECT_EQ(watcher::ResourceVersionOf(r.state), "60");
}

TEST(WatcherStepTest, ExpiredErrorEventRelistsFromLastVersion) {
  const WatcherConfig c = Config();
  WatchEvent err{WatchEvent::Type::kError,
                 {{"kind", "Status"},
                  {"code", 410},
                  {"reason", "Expired"},
                  {"message", "too old resource version"}}};
  StepResult r = Step(watcher::Watching{"70"}, watcher::StreamEvent{err}, c);
  EXPECT_EQ(ListOf(r).resource_version, "70");
  EXPECT_EQ(ListOf(r).resource_version_match, "NotOlderThan");
}

TEST(WatcherStepTest, OtherErrorEventBacksOffAndRewatches) {
  const WatcherConfig c = Config();
  WatchEvent err{WatchEvent::Type::kError,
                 {{"kind", "Status"}, {"code", 500}, {"reason", "InternalError"}}};
  StepResult r = Step(watcher::Watching{"70"}, watcher::StreamEvent{err}, c);
  ASSERT_TRUE(std::holds_alternative<watcher::BackoffAction>(r.action));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_EQ(WatchOf(r).resource_version, "70");
}

TEST(WatcherStepTest, FailedListBacksOffThenRetriesSameVersion) {
  const WatcherConfig c = Config();
  StepResult r = Step(watcher::Empty{"30", false}, watcher::Tick{}, c);
  r = Step(r.state, watcher::ListDone{ApiError::Transport("ConnectionError", "refused")}, c);
  ASSERT_TRUE(std::holds_alternative<watcher::BackoffAction>(r.action));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_EQ(ListOf(r).resource_version, "30");
}

TEST(WatcherStepTest, WatchTimeoutIsRandomBetween300And600) {
  WatcherConfig c = Config();
  c.random01 = [] { return 0.0; };
  EXPECT_EQ(WatchOf(Step(watcher::InitListed{"1"}, watcher::Tick{}, c)).timeout_seconds, 300);
  c.random01 = [] { return 0.999999; };
  EXPECT_EQ(WatchOf(Step(watcher::InitListed{"1"}, watcher::Tick{}, c)).timeout_seconds, 600);
  c.random01 = {};
  for (int i = 0; i < 100; ++i) {
    const auto t = WatchOf(Step(watcher::InitListed{"1"}, watcher::Tick{}, c)).timeout_seconds;
    ASSERT_GE(t, 300);
    ASSERT_LE(t, 600);
  }
}

TEST(WatcherRunTest, ListsWatchesResumesAndRelistsAgainstAClient) {
  FakeClient client;
  ASSERT_TRUE(client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "a")).ok());
  Watcher w(client, resources::kConfigMaps, "", Config(), RealClock::Instance(),
            std::make_unique<NoBackoff>());
  std::mutex mu;
  std::vector<WatcherEvent> seen;
  std::thread t([&] {
    w.Run([&](const WatcherEvent& e) {
      std::lock_guard lock(mu);
      seen.push_back(e);
    });
  });
  ASSERT_TRUE(Eventually([&] { return client.streams().size() == 1; }));
  const auto b = client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "b"));
  ASSERT_TRUE(b.ok());
  const std::string rv_b = ObjectResourceVersion(*b);
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return seen.size() == 4;  // Init, InitApply a, InitDone, Apply b
  }));
  // The watcher records the resourceVersion after the sink has taken the event.
  ASSERT_TRUE(Eventually([&] { return w.LastResourceVersion() == rv_b; }));
  client.streams()[0]->End();  // the server's timeout: resume, no relist
  ASSERT_TRUE(Eventually([&] { return client.streams().size() == 2; }));
  EXPECT_EQ(client.watch_calls()[1].resource_version, rv_b);
  EXPECT_EQ(client.list_calls().size(), 1u);

  client.streams()[1]->Fail(Expired());  // 410: relist at the last resourceVersion
  ASSERT_TRUE(Eventually([&] { return client.streams().size() == 3; }));
  ASSERT_EQ(client.list_calls().size(), 2u);
  EXPECT_EQ(client.list_calls()[1].resource_version, rv_b);
  w.Stop();
  t.join();
  EXPECT_TRUE(client.streams()[2]->cancelled());
}

}  // namespace
}  // namespace limen::kube
