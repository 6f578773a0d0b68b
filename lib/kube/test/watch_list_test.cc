// Watch-list (KEP-3157) in the Watcher's state machine and runner, and an Informer synced
// and re-synced by it: the sequence, the fallback to LIST+WATCH, and 410 during the
// initial events.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "fake_client.h"
#include "limen/kube/informer.h"
#include "limen/kube/watcher.h"
#include "watcher_steps.h"

namespace limen::kube {
namespace {

using testing::Eventually;
using testing::Expired;
using testing::FakeClient;
using testing::FakeWatchStream;
using testing::ListOf;
using testing::MakeObject;
using testing::NoBackoff;
using testing::Types;
using testing::WatchOf;
using watcher::Step;
using watcher::StepResult;
using Type = WatcherEvent::Type;
using EvType = WatchEvent::Type;

ApiError Rejected(int code) {
  return ApiError::FromResponse(
      code, R"j({"kind":"Status","message":"sendInitialEvents is forbidden for watch"})j");
}

WatcherConfig Config() {
  WatcherConfig c;
  c.random01 = [] { return 0.5; };
  c.watch_list = true;
  return c;
}

InformerOptions WatchListInformer() {
  InformerOptions o;
  o.watcher.watch_list = true;
  return o;
}

WatchEvent Added(const std::string& name, const std::string& rv) {
  return {EvType::kAdded, MakeObject("ns", name, rv)};
}

WatchEvent EndBookmark(const std::string& rv) {
  Object o = MakeObject("", "", rv);
  o["metadata"]["annotations"][kInitialEventsEndAnnotation] = "true";
  return {EvType::kBookmark, std::move(o)};
}

StepResult Feed(const StepResult& r, WatchEvent ev, const WatcherConfig& c) {
  return Step(r.state, watcher::StreamEvent{std::move(ev)}, c);
}

// An opened watch-list at `rv`, as after Tick and WatchOpened.
StepResult OpenedAt(const std::string& rv, const WatcherConfig& c) {
  return Step(watcher::WatchListing{rv, false}, watcher::WatchOpened{std::nullopt}, c);
}

TEST(WatchListStepTest, InitialEventsUpToTheEndBookmarkAreOneFullSyncThenTheStreamGoesOn) {
  const WatcherConfig c = Config();
  StepResult r = Step(watcher::Empty{}, watcher::Tick{}, c);
  const WatchOptions& first = WatchOf(r);
  EXPECT_TRUE(first.send_initial_events);
  EXPECT_TRUE(first.allow_bookmarks);
  EXPECT_EQ(first.resource_version, "");  // a consistent read, as client-go asks
  EXPECT_EQ(first.timeout_seconds, 450);

  r = Step(r.state, watcher::WatchOpened{std::nullopt}, c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kInit});
  ASSERT_TRUE(std::holds_alternative<watcher::ReadStream>(r.action));
  r = Feed(r, Added("a", "11"), c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kInitApply});
  EXPECT_EQ(r.events[0].object["metadata"]["name"], "a");
  r = Feed(r, Added("b", "12"), c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kInitApply});
  // A progress bookmark among the initial events is not the end.
  r = Feed(r, {EvType::kBookmark, MakeObject("", "", "15")}, c);
  EXPECT_TRUE(r.events.empty());
  ASSERT_TRUE(std::holds_alternative<watcher::WatchListing>(r.state));

  r = Feed(r, EndBookmark("20"), c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kInitDone});
  ASSERT_TRUE(std::holds_alternative<watcher::Watching>(r.state));
  EXPECT_EQ(watcher::ResourceVersionOf(r.state), "20");
  ASSERT_TRUE(std::holds_alternative<watcher::ReadStream>(r.action));  // the same stream

  r = Feed(r, {EvType::kModified, MakeObject("ns", "a", "21")}, c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kApply});
  r = Feed(r, {EvType::kDeleted, MakeObject("ns", "b", "22")}, c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kDelete});
  r = Step(r.state, watcher::StreamEnded{std::nullopt}, c);  // the server's timeout
  EXPECT_FALSE(WatchOf(r).send_initial_events);              // a plain resume, no new full sync
  EXPECT_EQ(WatchOf(r).resource_version, "22");
}

TEST(WatchListStepTest, ExpiredAfterTheSyncResyncsByWatchListFromTheLastVersion) {
  const WatcherConfig c = Config();
  StepResult r = Feed(OpenedAt("", c), EndBookmark("30"), c);
  r = Step(r.state, watcher::StreamEnded{Expired()}, c);
  EXPECT_TRUE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "30");
}

TEST(WatchListStepTest, ExpiredDuringInitialEventsRestartsFromEmptyVersion) {
  const WatcherConfig c = Config();
  StepResult r = OpenedAt("30", c);
  r = Feed(r, Added("a", "31"), c);
  r = Feed(r,
           {EvType::kError,
            {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "too old"}}},
           c);
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "");

  // Opened again: a new kInit, so the receiver drops what it had buffered.
  r = Step(r.state, watcher::WatchOpened{std::nullopt}, c);
  EXPECT_EQ(Types(r), std::vector<Type>{Type::kInit});
  // 410 again, now at "": no tight loop — back off, then from "" once more.
  r = Step(r.state, watcher::StreamEnded{Expired()}, c);
  ASSERT_TRUE(std::holds_alternative<watcher::BackoffAction>(r.action));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_TRUE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "");
}

TEST(WatchListStepTest, ExpiredOnOpeningRestartsFromEmptyVersion) {
  const WatcherConfig c = Config();
  StepResult r = Step(watcher::WatchListing{"30", false}, watcher::WatchOpened{Expired()}, c);
  EXPECT_TRUE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "");
}

TEST(WatchListStepTest, BrokenStreamBacksOffThenRestartsFromEmptyVersion) {
  const WatcherConfig c = Config();
  StepResult r = Feed(OpenedAt("30", c), Added("a", "31"), c);
  r = Step(r.state, watcher::StreamEnded{ApiError::Transport("ConnectionError", "reset")}, c);
  ASSERT_TRUE(std::holds_alternative<watcher::BackoffAction>(r.action));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_TRUE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "");
}

TEST(WatchListStepTest, TooManyRequestsOnOpeningBacksOffAndRetriesTheSameRequest) {
  const WatcherConfig c = Config();
  ApiError busy = ApiError::FromResponse(429, R"({"kind":"Status","reason":"TooManyRequests"})",
                                         std::chrono::seconds(3));
  StepResult r = Step(watcher::WatchListing{"30", false}, watcher::WatchOpened{busy}, c);
  auto* b = std::get_if<watcher::BackoffAction>(&r.action);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->retry_after, std::chrono::seconds(3));
  r = Step(r.state, watcher::Tick{}, c);
  EXPECT_TRUE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "30");
}

// The server rejects sendInitialEvents: LIST+WATCH, and every later full sync lists too.
class WatchListRejectedTest : public ::testing::TestWithParam<int> {};

TEST_P(WatchListRejectedTest, FallsBackToListAndWatchAndRemembers) {
  const WatcherConfig c = Config();
  StepResult r = Step(watcher::Empty{}, watcher::Tick{}, c);
  r = Step(r.state, watcher::WatchOpened{Rejected(GetParam())}, c);
  EXPECT_EQ(ListOf(r).resource_version, "0");  // a first list, as without watch-list
  ObjectList page;
  page.items.push_back(MakeObject("ns", "a", "40"));
  page.resource_version = "40";
  r = Step(r.state, watcher::ListDone{page}, c);
  EXPECT_EQ(Types(r), (std::vector<Type>{Type::kInit, Type::kInitApply, Type::kInitDone}));
  EXPECT_FALSE(WatchOf(r).send_initial_events);
  EXPECT_EQ(WatchOf(r).resource_version, "40");
  r = Step(r.state, watcher::WatchOpened{std::nullopt}, c);
  r = Step(r.state, watcher::StreamEnded{std::nullopt}, c);  // resume: still a plain watch
  EXPECT_FALSE(WatchOf(r).send_initial_events);
  r = Step(r.state, watcher::WatchOpened{ApiError::Transport("ConnectionError", "refused")}, c);
  r = Step(r.state, watcher::Tick{}, c);  // after the back-off
  EXPECT_FALSE(WatchOf(r).send_initial_events);
  r = Step(r.state, watcher::WatchOpened{std::nullopt}, c);
  r = Step(r.state, watcher::StreamEnded{Expired()}, c);  // the next full sync is a list
  EXPECT_EQ(ListOf(r).resource_version, "40");
  r = Step(r.state, watcher::ListDone{ApiError::Transport("ConnectionError", "refused")}, c);
  r = Step(r.state, watcher::Tick{}, c);  // even after a failed list
  EXPECT_EQ(ListOf(r).resource_version, "40");
}

INSTANTIATE_TEST_SUITE_P(Codes, WatchListRejectedTest, ::testing::Values(400, 403, 422));

TEST(WatchListStepTest, CleanEndBeforeTheBookmarkFallsBackToList) {
  const WatcherConfig c = Config();
  StepResult r = Feed(OpenedAt("", c), Added("a", "31"), c);
  r = Step(r.state, watcher::StreamEnded{std::nullopt}, c);
  EXPECT_EQ(ListOf(r).resource_version, "0");
  EXPECT_TRUE(r.events.empty());  // the list's kInit will discard "a"
}

TEST(WatchListStepTest, DeletedAmongInitialEventsFallsBackToList) {
  const WatcherConfig c = Config();
  StepResult r = Feed(OpenedAt("50", c), {EvType::kDeleted, MakeObject("ns", "a", "51")}, c);
  EXPECT_EQ(ListOf(r).resource_version, "50");
}

TEST(WatchListStepTest, DisabledByConfigListsAsBefore) {
  WatcherConfig c = Config();
  c.watch_list = false;
  EXPECT_EQ(ListOf(Step(watcher::Empty{}, watcher::Tick{}, c)).resource_version, "0");
  StepResult r = Step(watcher::Watching{"60"}, watcher::StreamEnded{Expired()}, c);
  EXPECT_EQ(ListOf(r).resource_version, "60");
}

// --- runner and informer against a FakeClient ---------------------------------------

struct Seen {
  std::mutex mu;
  std::vector<WatcherEvent> events;
  Watcher::Sink Sink() {
    return [this](const WatcherEvent& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
    };
  }
  std::vector<Type> Types() {
    std::lock_guard lock(mu);
    std::vector<Type> out;
    for (const auto& e : events) out.push_back(e.type);
    return out;
  }
};

TEST(WatchListRunTest, SyncsWithoutAListAndResyncsByWatchListAfterExpiry) {
  FakeClient client;
  ASSERT_TRUE(client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "a")).ok());
  Watcher w(client, resources::kConfigMaps, "", Config(), RealClock::Instance(),
            std::make_unique<NoBackoff>());
  Seen seen;
  std::thread t([&] { w.Run(seen.Sink()); });
  ASSERT_TRUE(Eventually([&] { return seen.Types().size() == 3; }));
  ASSERT_TRUE(client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "b")).ok());
  ASSERT_TRUE(Eventually([&] { return seen.Types().size() == 4; }));
  EXPECT_EQ(seen.Types(),
            (std::vector<Type>{Type::kInit, Type::kInitApply, Type::kInitDone, Type::kApply}));
  EXPECT_EQ(client.list_calls().size(), 0u);
  ASSERT_EQ(client.watch_calls().size(), 1u);
  EXPECT_TRUE(client.watch_calls()[0].send_initial_events);
  const std::string rv_b = w.LastResourceVersion();

  client.streams()[0]->Fail(Expired());
  ASSERT_TRUE(Eventually([&] { return seen.Types().size() == 8; }));  // a, b again
  ASSERT_EQ(client.watch_calls().size(), 2u);
  EXPECT_TRUE(client.watch_calls()[1].send_initial_events);
  EXPECT_EQ(client.watch_calls()[1].resource_version, rv_b);
  EXPECT_EQ(client.list_calls().size(), 0u);
  w.Stop();
  t.join();
}

TEST(WatchListRunTest, RejectedWatchListFallsBackToListAndWatch) {
  FakeClient client;
  ASSERT_TRUE(client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "a")).ok());
  std::atomic<int> rejected{0};
  client.SetWatchHandler([&](const WatchOptions& o) -> ApiResult<std::unique_ptr<WatchStream>> {
    if (o.send_initial_events) {
      ++rejected;
      return Rejected(422);
    }
    return std::unique_ptr<WatchStream>(std::make_unique<FakeWatchStream>());
  });
  Informer informer(client, resources::kConfigMaps, WatchListInformer(), RealClock::Instance(),
                    std::make_unique<NoBackoff>());
  informer.Run();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(5)));
  EXPECT_EQ(informer.store().Size(), 1u);
  ASSERT_TRUE(Eventually([&] { return client.watch_calls().size() == 2; }));
  EXPECT_EQ(rejected.load(), 1);
  EXPECT_EQ(client.list_calls().size(), 1u);
  informer.Stop();
}

// A re-sync by watch-list is applied like a relist: objects missing from the initial
// events are deleted with a tombstone, changed ones updated, and the cache swapped at once.
TEST(WatchListRunTest, InformerResyncByWatchListDiffsWithTombstones) {
  FakeClient client;
  for (const char* name : {"keep", "change", "gone"})
    ASSERT_TRUE(client.Create(resources::kConfigMaps, "ns", MakeObject("ns", name)).ok());
  Informer informer(client, resources::kConfigMaps, WatchListInformer(), RealClock::Instance(),
                    std::make_unique<NoBackoff>());
  std::mutex mu;
  std::vector<std::string> calls;
  auto handler = std::make_shared<ResourceEventHandlerFuncs>();
  handler->add = [&](const ObjectPtr& o, bool initial) {
    std::lock_guard lock(mu);
    calls.push_back("add " + ObjectKey(*o) + (initial ? " initial" : ""));
  };
  handler->update = [&](const ObjectPtr&, const ObjectPtr& n) {
    std::lock_guard lock(mu);
    calls.push_back("update " + ObjectKey(*n));
  };
  handler->del = [&](const DeletedObject& d) {
    std::lock_guard lock(mu);
    const bool tombstone = std::holds_alternative<DeletedFinalStateUnknown>(d);
    calls.push_back((tombstone ? "tombstone " : "delete ") + ObjectKey(*LastKnown(d)));
  };
  informer.AddEventHandler(handler);
  informer.Run();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(5)));
  ASSERT_TRUE(Eventually([&] { return client.streams().size() == 1; }));

  // The next watch-list is scripted: what the server has after changes the informer missed.
  std::shared_ptr<FakeWatchStream> next = std::make_shared<FakeWatchStream>();
  next->Push(Added("keep", ObjectResourceVersion(*informer.store().Get("ns/keep"))));
  next->Push(Added("change", "900"));
  // The store must not change before the end bookmark.
  client.SetWatchHandler([&](const WatchOptions&) -> ApiResult<std::unique_ptr<WatchStream>> {
    struct Shared final : WatchStream {
      std::shared_ptr<FakeWatchStream> s;
      ApiResult<std::optional<WatchEvent>> Next() override { return s->Next(); }
      void Cancel() override { s->Cancel(); }
    };
    auto h = std::make_unique<Shared>();
    h->s = next;
    return std::unique_ptr<WatchStream>(std::move(h));
  });
  {
    std::lock_guard lock(mu);
    calls.clear();
  }
  client.streams()[0]->Fail(Expired());
  ASSERT_TRUE(Eventually([&] { return client.watch_calls().size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(informer.store().Size(), 3u);
  EXPECT_NE(informer.store().Get("ns/gone"), nullptr);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(calls.empty());
  }
  next->Push(EndBookmark("901"));
  ASSERT_TRUE(Eventually([&] { return informer.store().Get("ns/gone") == nullptr; }));
  EXPECT_EQ(informer.store().Size(), 2u);
  EXPECT_EQ(ObjectResourceVersion(*informer.store().Get("ns/change")), "900");
  informer.Stop();
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{"tombstone ns/gone", "update ns/change"}));
}

}  // namespace
}  // namespace limen::kube
