#include "handler_pool.h"

namespace limen::serving {

HandlerPool::HandlerPool(size_t threads) : size_(threads) {
  std::lock_guard lock(mu_);
  StartThreads();
}

HandlerPool::~HandlerPool() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  queued_.notify_all();
  for (auto& t : threads) t.join();
}

void HandlerPool::StartThreads() {
  for (size_t i = 0; i < size_; ++i) {
    threads_.emplace_back([this, generation = generation_] { Work(generation); });
  }
}

void HandlerPool::Renew() {
  std::vector<std::thread> old;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || size_ == 0) return;
    old.swap(threads_);
    ++generation_;
    StartThreads();
  }
  queued_.notify_all();
  for (auto& t : old) t.join();
}

void HandlerPool::RunOnPool(Task& task) {
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

void HandlerPool::Work(uint64_t generation) {
  for (;;) {
    Task* task = nullptr;
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || generation_ != generation || !queue_.empty(); });
      // Renewed: the new threads take what is queued. Stopping: run what is queued first.
      if (generation_ != generation || queue_.empty()) return;
      task = queue_.front();
      queue_.pop_front();
    }
    task->call(task->fn);
    task->done.release();
  }
}

}  // namespace limen::serving
