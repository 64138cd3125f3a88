// EventLoop: one thread that waits on many nonblocking descriptors with epoll and calls
// each one's Watcher when it is ready, so a server needs a thread per core, not a thread
// per connection. Other threads hand work to the loop with Post (an eventfd wakes it),
// and a periodic tick lets owners enforce deadlines without a timer per descriptor.
//
// Interest is level-triggered: a watcher that stops wanting EPOLLIN (to push back on a
// client) calls SetInterest without it, and is not woken for input until it asks again.
//
// Lifetime: a watcher must stay alive while it is registered, and for the rest of the
// batch of events it was removed in. Posted tasks run after that batch, so owners that
// drop their last reference in a posted task are safe.
//
// Thread-safety: Post, Stop and the accessors from any thread; Add, SetInterest and
// Remove only on the loop thread (or before Start).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace cairn {

class EventLoop {
 public:
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // `events` is the epoll mask that fired (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR...).
    virtual void OnEvents(uint32_t events) = 0;
  };

  // tick runs on the loop thread about every tick_ms (0: no tick).
  static Result<std::shared_ptr<EventLoop>> Create(std::string name, int tick_ms, std::function<void()> tick);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void Start();
  // Stops the loop and joins its thread; tasks posted afterwards are dropped. Idempotent.
  void Stop();

  // Runs task on the loop thread soon; dropped (destroyed unrun) once the loop stopped.
  void Post(std::function<void()> task);
  bool InLoopThread() const;

  Status Add(int fd, uint32_t events, Watcher* watcher);
  Status SetInterest(int fd, uint32_t events, Watcher* watcher);
  void Remove(int fd);

 private:
  EventLoop(std::string name, int epoll_fd, int wake_fd, int tick_ms, std::function<void()> tick);
  void Run();
  void RunPosted();
  Status Control(int op, const char* what, int fd, uint32_t events, Watcher* watcher);

  const std::string name_;
  const int epoll_fd_;
  const int wake_fd_;
  const int tick_ms_;
  const std::function<void()> tick_;
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_id_{};
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::vector<std::function<void()>> posted_;  // guarded by mu_
  bool stopped_ = false;                       // guarded by mu_: Post drops tasks
};

}  // namespace cairn
