#include "limen/kube/event_recorder.h"

#include <gtest/gtest.h>

#include "fake_client.h"

namespace limen::kube {
namespace {

using std::chrono::seconds;
using testing::FakeClient;

EventRecorderOptions Options() {
  EventRecorderOptions o;
  o.reporting_controller = "limen.dev/operator";
  o.reporting_instance = "limen-operator-0";
  return o;
}

ObjectReference Pod(const std::string& name) {
  return ReferenceTo({{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", {{"namespace", "apps"}, {"name", name}, {"uid", "u-" + name}}}});
}

TEST(EventRecorderTest, CreatesAnEventsV1Event) {
  FakeClient client;
  FakeClock clock;
  EventRecorder rec(client, Options(), clock);
  rec.Event(Pod("web-1"), EventType::kWarning, "InjectionFailed", "Inject", "no policy matched");
  rec.Flush();
  auto events = client.Objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  const Object& e = events[0];
  EXPECT_EQ(e["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "InjectionFailed");
  EXPECT_EQ(e["action"], "Inject");
  EXPECT_EQ(e["note"], "no policy matched");
  EXPECT_EQ(e["reportingController"], "limen.dev/operator");
  EXPECT_EQ(e["reportingInstance"], "limen-operator-0");
  EXPECT_EQ(e["regarding"]["name"], "web-1");
  EXPECT_EQ(e["regarding"]["uid"], "u-web-1");
  EXPECT_EQ(e["metadata"]["namespace"], "apps");
  EXPECT_EQ(e["metadata"]["name"].get<std::string>().rfind("web-1.", 0), 0u);
  EXPECT_FALSE(e.contains("series"));
}

TEST(EventRecorderTest, RepeatsWithinTheWindowBecomeASeries) {
  FakeClient client;
  FakeClock clock;
  EventRecorder rec(client, Options(), clock);
  for (int i = 0; i < 3; ++i) {
    rec.Event(Pod("web-1"), EventType::kNormal, "Injected", "Inject", "sidecar added");
    rec.Flush();
    clock.Advance(seconds(10));
  }
  auto events = client.Objects(resources::kEvents);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["series"]["count"], 3);
  EXPECT_TRUE(events[0]["series"].contains("lastObservedTime"));

  rec.Event(Pod("web-1"), EventType::kNormal, "Injected", "Inject", "a different note");
  rec.Flush();
  EXPECT_EQ(client.Objects(resources::kEvents).size(), 2u);

  clock.Advance(seconds(7 * 60));  // past the window: a new Event
  rec.Event(Pod("web-1"), EventType::kNormal, "Injected", "Inject", "sidecar added");
  rec.Flush();
  EXPECT_EQ(client.Objects(resources::kEvents).size(), 3u);
}

TEST(EventRecorderTest, RateLimitedPerObjectWithBurst25) {
  FakeClient client;
  FakeClock clock;
  EventRecorder rec(client, Options(), clock);
  for (int i = 0; i < 30; ++i) {
    rec.Event(Pod("noisy"), EventType::kWarning, "Failed", "Reconcile",
              "attempt " + std::to_string(i));
  }
  rec.Event(Pod("quiet"), EventType::kNormal, "Ok", "Reconcile", "fine");  // its own bucket
  rec.Flush();
  EXPECT_EQ(rec.dropped(), 5);
  EXPECT_EQ(client.Objects(resources::kEvents).size(), 26u);
  clock.Advance(seconds(300));  // one token per 5 minutes
  rec.Event(Pod("noisy"), EventType::kWarning, "Failed", "Reconcile", "later");
  rec.Event(Pod("noisy"), EventType::kWarning, "Failed", "Reconcile", "later 2");
  rec.Flush();
  EXPECT_EQ(rec.dropped(), 6);
}

TEST(EventRecorderTest, ApiFailureIsLoggedNotFatal) {
  FakeClient client;
  client.SetFault([](const std::string&, const Resource&) -> std::optional<ApiError> {
    return ApiError::Transport("ConnectionError", "refused");
  });
  EventRecorder rec(client, Options());
  rec.Event(Pod("a"), EventType::kNormal, "R", "A", "n");
  rec.Flush();
  EXPECT_EQ(client.CallCount("create"), 1);
}

}  // namespace
}  // namespace limen::kube
