#include "handler_pool.h"

namespace limen::serving {

HandlerPool::HandlerPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

HandlerPool::~HandlerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& t : threads_) t.join();
}

void HandlerPool::Run(const std::function<void()>& fn) {
  if (threads_.empty()) {
    fn();
    return;
  }
  Task task{&fn};
  {
    std::lock_guard lock(mu_);
    queue_.push_back(&task);
  }
  queued_.notify_one();
  task.done.acquire();
}

size_t HandlerPool::Queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void HandlerPool::Work() {
  for (;;) {
    Task* task = nullptr;
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = queue_.front();
      queue_.pop_front();
    }
    (*task->fn)();
    task->done.release();
  }
}

}  // namespace limen::serving
