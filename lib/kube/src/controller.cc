#include "limen/kube/controller.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace limen::kube {

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

namespace {

WorkQueue::Options QueueOptions(ControllerOptions& o, const WorkQueueMetrics* metrics) {
  WorkQueue::Options q;
  q.rate_limiter = std::move(o.rate_limiter);
  q.clock = o.clock;
  q.metrics = metrics;
  return q;
}

}  // namespace

Controller::Controller(ControllerOptions options, Reconciler& reconciler,
                       prometheus::Registry& registry)
    : name_(options.name),
      workers_(options.workers < 1 ? 1 : options.workers),
      reconciler_(reconciler),
      queue_metrics_(registry, options.name),
      metrics_(registry, options.name),
      clock_(options.clock ? *options.clock : RealClock::Instance()),
      queue_(QueueOptions(options, &queue_metrics_)) {
  metrics_.max_concurrent_reconciles.Set(workers_);
}

Controller::~Controller() { Stop(); }

void Controller::EnqueueObject(const Object& obj) {
  std::string key = ObjectKey(obj);
  if (!key.empty()) queue_.Add(key);
}

std::shared_ptr<ResourceEventHandler> Controller::EnqueueHandler() {
  auto h = std::make_shared<ResourceEventHandlerFuncs>();
  h->add = [this](const ObjectPtr& o, bool) { EnqueueObject(*o); };
  h->update = [this](const ObjectPtr&, const ObjectPtr& n) { EnqueueObject(*n); };
  h->del = [this](const DeletedObject& d) {
    if (auto* t = std::get_if<DeletedFinalStateUnknown>(&d)) {
      queue_.Add(t->key);
    } else {
      EnqueueObject(*LastKnown(d));
    }
  };
  return h;
}

void Controller::Start() {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Worker(); });
  metrics_thread_ = std::thread([this] {
    while (!stopping_.load()) {
      queue_.UpdateUnfinishedWorkMetrics();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
}

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  queue_.ShutDownWithDrain();
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (metrics_thread_.joinable()) metrics_thread_.join();
}

void Controller::Worker() {
  while (auto key = queue_.Get()) {
    metrics_.active_workers.Increment();
    ReconcileOne(*key);
    metrics_.active_workers.Decrement();
    queue_.Done(*key);
  }
}

void Controller::ReconcileOne(const std::string& key) {
  const auto start = clock_.Monotonic();
  std::optional<Outcome> outcome;
  try {
    outcome.emplace(reconciler_.Reconcile(key));
  } catch (const std::exception& e) {
    metrics_.panics.Increment();
    spdlog::error("controller {}: Reconcile({}) threw: {}", name_, key, e.what());
    outcome.emplace(Status::Internal(std::string("reconciler threw: ") + e.what()));
  } catch (...) {
    metrics_.panics.Increment();
    spdlog::error("controller {}: Reconcile({}) threw a non-standard exception", name_, key);
    outcome.emplace(Status::Internal("reconciler threw a non-standard exception"));
  }
  metrics_.reconcile_time.Observe(
      std::chrono::duration<double>(clock_.Monotonic() - start).count());
  HandleOutcome(key, *outcome);
}

void Controller::HandleOutcome(const std::string& key, const Outcome& outcome) {
  ReconcileLabel label;
  if (!outcome.ok()) {
    label = ReconcileLabel::kError;
    metrics_.reconcile_errors.Increment();
    if (outcome.terminal()) {
      metrics_.terminal_errors.Increment();
      queue_.Forget(key);
      spdlog::error("controller {}: {} failed terminally: {}", name_, key,
                    outcome.error().ToString());
    } else {
      queue_.AddRateLimited(key);
      spdlog::warn("controller {}: {} failed (retry {}): {}", name_, key, queue_.NumRequeues(key),
                   outcome.error().ToString());
    }
  } else if (outcome.result().requeue_after > std::chrono::nanoseconds::zero()) {
    label = ReconcileLabel::kRequeueAfter;
    queue_.Forget(key);
    queue_.AddAfter(key, outcome.result().requeue_after);
  } else if (outcome.result().requeue) {
    label = ReconcileLabel::kRequeue;
    queue_.AddRateLimited(key);
  } else {
    label = ReconcileLabel::kSuccess;
    queue_.Forget(key);
  }
  metrics_.ReconcileTotal(label).Increment();
}

}  // namespace limen::kube
