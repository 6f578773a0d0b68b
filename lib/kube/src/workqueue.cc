#include "limen/kube/workqueue.h"

#include <algorithm>

namespace limen::kube {
namespace {

double Seconds(Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

constexpr auto kFakeClockPoll = std::chrono::milliseconds(2);

}  // namespace

WorkQueue::WorkQueue() : WorkQueue(Options{}) {}

WorkQueue::WorkQueue(Options options)
    : rate_limiter_(options.rate_limiter
                        ? std::move(options.rate_limiter)
                        : DefaultControllerRateLimiter(options.clock ? *options.clock
                                                                     : RealClock::Instance())),
      clock_(options.clock ? *options.clock : RealClock::Instance()),
      metrics_(options.metrics),
      real_clock_(&clock_ == &RealClock::Instance()) {}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key) > 0) return;
  if (metrics_) metrics_->adds.Increment();
  dirty_.insert(key);
  added_at_.emplace(key, clock_.Monotonic());
  if (processing_.count(key) > 0) return;  // Done() will queue it
  queue_.push_back(key);
  if (metrics_) metrics_->depth.Increment();
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Clock::Duration delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay <= Clock::Duration::zero()) {
    AddLocked(key);
    return;
  }
  delayed_.push({clock_.Monotonic() + delay, key});
  // Wake a waiter so that it recomputes how long to sleep.
  cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  if (metrics_) metrics_->retries.Increment();
  AddAfter(key, rate_limiter_->When(key));
}

void WorkQueue::Forget(const std::string& key) { rate_limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return rate_limiter_->NumRequeues(key); }

std::optional<Clock::MonoTime> WorkQueue::PromoteDelayedLocked() {
  const auto now = clock_.Monotonic();
  while (!delayed_.empty() && delayed_.top().ready <= now) {
    std::string key = delayed_.top().key;
    delayed_.pop();
    AddLocked(key);
  }
  if (delayed_.empty()) return std::nullopt;
  return delayed_.top().ready;
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  while (true) {
    const auto next = shutting_down_ ? std::nullopt : PromoteDelayedLocked();
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (!next) {
      cv_.wait(lock);
    } else if (real_clock_) {
      cv_.wait_for(lock, *next - clock_.Monotonic());
    } else {
      cv_.wait_for(lock, kFakeClockPoll);
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  const auto now = clock_.Monotonic();
  if (metrics_) {
    metrics_->depth.Decrement();
    if (auto it = added_at_.find(key); it != added_at_.end())
      metrics_->queue_duration.Observe(Seconds(now - it->second));
  }
  added_at_.erase(key);
  processing_.insert(key);
  started_at_[key] = now;
  dirty_.erase(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  if (auto it = started_at_.find(key); it != started_at_.end()) {
    if (metrics_) metrics_->work_duration.Observe(Seconds(clock_.Monotonic() - it->second));
    started_at_.erase(it);
  }
  processing_.erase(key);
  if (dirty_.count(key) > 0) {
    queue_.push_back(key);
    if (metrics_) metrics_->depth.Increment();
    cv_.notify_one();
  } else if (processing_.empty()) {
    drain_cv_.notify_all();
  }
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  while (!delayed_.empty()) delayed_.pop();
  cv_.notify_all();
}

void WorkQueue::ShutDownWithDrain() {
  std::unique_lock lock(mu_);
  shutting_down_ = true;
  while (!delayed_.empty()) delayed_.pop();
  cv_.notify_all();
  // Queued keys are still handed out after shutdown, so drained means both empty.
  drain_cv_.wait(lock, [this] { return processing_.empty() && queue_.empty(); });
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

void WorkQueue::UpdateUnfinishedWorkMetrics() {
  if (!metrics_) return;
  std::lock_guard lock(mu_);
  const auto now = clock_.Monotonic();
  double total = 0, longest = 0;
  for (const auto& [key, start] : started_at_) {
    const double s = Seconds(now - start);
    total += s;
    longest = std::max(longest, s);
  }
  metrics_->unfinished_work_seconds.Set(total);
  metrics_->longest_running_processor_seconds.Set(longest);
}

}  // namespace limen::kube
