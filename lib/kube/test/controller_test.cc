#include "limen/kube/controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace limen::kube {
namespace {

using std::chrono::milliseconds;

// The value of the series `name` with all of `labels`; -1 if absent.
double Value(prometheus::Registry& r, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  for (const auto& family : r.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      bool match = true;
      for (const auto& [k, v] : labels) {
        bool found = false;
        for (const auto& l : m.label) found |= (l.name == k && l.value == v);
        match &= found;
      }
      if (!match) continue;
      if (family.type == prometheus::MetricType::Counter) return m.counter.value;
      if (family.type == prometheus::MetricType::Gauge) return m.gauge.value;
      if (family.type == prometheus::MetricType::Histogram)
        return static_cast<double>(m.histogram.sample_count);
    }
  }
  return -1;
}

// Plays a script of outcomes per call; counts calls.
class ScriptedReconciler final : public Reconciler {
 public:
  explicit ScriptedReconciler(std::function<Outcome(int call)> script)
      : script_(std::move(script)) {}
  Outcome Reconcile(const std::string&) override { return script_(++calls); }
  std::atomic<int> calls{0};

 private:
  std::function<Outcome(int)> script_;
};

template <class F>
bool Eventually(F f) {
  for (int i = 0; i < 1000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return false;
}

ControllerOptions Named(const std::string& name, int workers = 2) {
  ControllerOptions o;
  o.name = name;
  o.workers = workers;
  return o;
}

TEST(ControllerTest, EverySeriesExistsAtZeroBeforeAnyReconcile) {
  prometheus::Registry registry;
  ScriptedReconciler r([](int) { return Result{}; });
  Controller c(Named("idle"), r, registry);
  for (const char* result : {"success", "error", "requeue", "requeue_after"}) {
    EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                    {{"controller", "idle"}, {"result", result}}),
              0)
        << result;
  }
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_errors_total", {{"controller", "idle"}}),
            0);
  EXPECT_EQ(Value(registry, "controller_runtime_terminal_reconcile_errors_total",
                  {{"controller", "idle"}}),
            0);
  EXPECT_EQ(Value(registry, "workqueue_depth", {{"name", "idle"}}), 0);
  EXPECT_EQ(Value(registry, "workqueue_retries_total", {{"name", "idle"}}), 0);
  EXPECT_EQ(Value(registry, "workqueue_longest_running_processor_seconds", {{"name", "idle"}}), 0);
  EXPECT_EQ(
      Value(registry, "controller_runtime_max_concurrent_reconciles", {{"controller", "idle"}}), 2);
}

TEST(ControllerTest, ErrorIsRetriedWithRateLimitThenSucceeds) {
  prometheus::Registry registry;
  ScriptedReconciler r([](int call) -> Outcome {
    if (call < 3) return Status::Unavailable("apiserver busy");
    return Result{};
  });
  Controller c(Named("retry"), r, registry);
  c.Start();
  c.Enqueue("ns/a");
  ASSERT_TRUE(Eventually([&] { return r.calls == 3; }));
  c.Stop();
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                  {{"controller", "retry"}, {"result", "error"}}),
            2);
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                  {{"controller", "retry"}, {"result", "success"}}),
            1);
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_errors_total", {{"controller", "retry"}}),
            2);
  EXPECT_EQ(Value(registry, "workqueue_retries_total", {{"name", "retry"}}), 2);
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_time_seconds", {{"controller", "retry"}}),
            3);
  EXPECT_EQ(c.queue().NumRequeues("ns/a"), 0);  // forgotten after success
}

TEST(ControllerTest, TerminalErrorIsNotRetried) {
  prometheus::Registry registry;
  ScriptedReconciler r([](int) { return TerminalError(Status::InvalidArgument("bad spec")); });
  Controller c(Named("terminal"), r, registry);
  c.Start();
  c.Enqueue("ns/a");
  ASSERT_TRUE(Eventually([&] { return r.calls == 1; }));
  std::this_thread::sleep_for(milliseconds(50));
  c.Stop();
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(Value(registry, "controller_runtime_terminal_reconcile_errors_total",
                  {{"controller", "terminal"}}),
            1);
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                  {{"controller", "terminal"}, {"result", "error"}}),
            1);
}

TEST(ControllerTest, ExceptionIsCaughtCountedAndRetried) {
  prometheus::Registry registry;
  ScriptedReconciler r([](int call) -> Outcome {
    if (call == 1) throw std::runtime_error("boom");
    return Result{};
  });
  Controller c(Named("throws"), r, registry);
  c.Start();
  c.Enqueue("ns/a");
  ASSERT_TRUE(Eventually([&] { return r.calls == 2; }));
  c.Stop();
  EXPECT_EQ(
      Value(registry, "controller_runtime_reconcile_panics_total", {{"controller", "throws"}}), 1);
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                  {{"controller", "throws"}, {"result", "error"}}),
            1);
}

TEST(ControllerTest, RequeueAfterAndRequeue) {
  prometheus::Registry registry;
  ScriptedReconciler r([](int call) -> Outcome {
    if (call == 1) return Result{milliseconds(20), false};
    if (call == 2) return Result{std::chrono::nanoseconds::zero(), true};
    return Result{};
  });
  Controller c(Named("requeue"), r, registry);
  c.Start();
  c.Enqueue("ns/a");
  ASSERT_TRUE(Eventually([&] { return r.calls == 3; }));
  c.Stop();
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                  {{"controller", "requeue"}, {"result", "requeue_after"}}),
            1);
  EXPECT_EQ(Value(registry, "controller_runtime_reconcile_total",
                  {{"controller", "requeue"}, {"result", "requeue"}}),
            1);
}

TEST(ControllerTest, SplitKey) {
  EXPECT_EQ(SplitKey("ns/a"), (std::pair<std::string, std::string>{"ns", "a"}));
  EXPECT_EQ(SplitKey("node-1"), (std::pair<std::string, std::string>{"", "node-1"}));
}

}  // namespace
}  // namespace limen::kube
