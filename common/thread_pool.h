// ThreadPool: a fixed number of worker threads fed by a BoundedQueue of tasks. Submit
// blocks when the queue is full, which pushes back on whoever produces the work;
// TrySubmit refuses instead, for threads that must never block (event loops).
// The destructor (or Shutdown) finishes queued tasks and joins the workers.
//
// Thread-safety: Submit may be called from any thread, including from a task.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/bounded_queue.h"

namespace cairn {

class ThreadPool {
 public:
  ThreadPool(std::string name, int threads, size_t queue_capacity);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False after Shutdown.
  bool Submit(std::function<void()> task);
  // Never blocks: false (task dropped) when the queue is full or after Shutdown.
  bool TrySubmit(std::function<void()> task);
  void Shutdown();

 private:
  std::string name_;
  BoundedQueue<std::function<void()>> queue_;
  std::vector<std::thread> workers_;
};

}  // namespace cairn
