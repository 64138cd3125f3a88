#include "common/thread_pool.h"

#include <pthread.h>

namespace cairn {

ThreadPool::ThreadPool(std::string name, int threads, size_t queue_capacity)
    : name_(std::move(name)), queue_(queue_capacity) {
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this, i] {
      std::string tname = (name_ + "-" + std::to_string(i)).substr(0, 15);
      pthread_setname_np(pthread_self(), tname.c_str());
      while (auto task = queue_.Pop()) (*task)();
    });
  }
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::Submit(std::function<void()> task) { return queue_.Push(std::move(task)); }

bool ThreadPool::TrySubmit(std::function<void()> task) { return queue_.TryPush(std::move(task)); }

void ThreadPool::Shutdown() {
  queue_.Close();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

}  // namespace cairn
