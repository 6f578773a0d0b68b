// Helpers for tests that drive the Watcher's state machine (watcher::Step) directly.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <variant>
#include <vector>

#include "limen/kube/backoff.h"
#include "limen/kube/errors.h"
#include "limen/kube/watcher.h"

namespace limen::kube::testing {

// The apiserver's 410 for a resourceVersion it no longer has.
inline ApiError Expired() {
  return ApiError::FromResponse(
      410,
      R"j({"kind":"Status","reason":"Expired","message":"too old resource version: 10 (20)","code":410})j");
}

// The options of the step's ListAction (a test failure, and empty options, if it is not one).
inline const ListOptions& ListOf(const watcher::StepResult& r) {
  EXPECT_TRUE(std::holds_alternative<watcher::ListAction>(r.action)) << r.action.index();
  static const ListOptions kNone;
  const auto* a = std::get_if<watcher::ListAction>(&r.action);
  return a ? a->options : kNone;
}

// The options of the step's WatchAction (a test failure, and empty options, if it is not one).
inline const WatchOptions& WatchOf(const watcher::StepResult& r) {
  EXPECT_TRUE(std::holds_alternative<watcher::WatchAction>(r.action)) << r.action.index();
  static const WatchOptions kNone;
  const auto* a = std::get_if<watcher::WatchAction>(&r.action);
  return a ? a->options : kNone;
}

// The types of the events the step emitted, in order.
inline std::vector<WatcherEvent::Type> Types(const watcher::StepResult& r) {
  std::vector<WatcherEvent::Type> out;
  out.reserve(r.events.size());
  for (const auto& e : r.events) out.push_back(e.type);
  return out;
}

// A BackoffStrategy that never waits, so runner tests need no clock.
class NoBackoff final : public BackoffStrategy {
 public:
  Duration NextBackOff() override { return Duration::zero(); }
  void Reset() override {}
};

// Polls `f` for up to 4 s.
template <class F>
bool Eventually(F f) {
  for (int i = 0; i < 2000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace limen::kube::testing
