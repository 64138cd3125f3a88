#include "common/event_loop.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/clock.h"

namespace cairn {

Result<std::shared_ptr<EventLoop>> EventLoop::Create(std::string name, int tick_ms, std::function<void()> tick) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return ErrnoError(errno, "epoll_create1");
  const int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    const int e = errno;
    ::close(epoll_fd);
    return ErrnoError(e, "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake-up descriptor
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev) != 0) {
    const int e = errno;
    ::close(wake_fd);
    ::close(epoll_fd);
    return ErrnoError(e, "epoll_ctl(eventfd)");
  }
  return std::shared_ptr<EventLoop>(new EventLoop(std::move(name), epoll_fd, wake_fd, tick_ms, std::move(tick)));
}

EventLoop::EventLoop(std::string name, int epoll_fd, int wake_fd, int tick_ms, std::function<void()> tick)
    : name_(std::move(name)), epoll_fd_(epoll_fd), wake_fd_(wake_fd), tick_ms_(tick_ms), tick_(std::move(tick)) {}

EventLoop::~EventLoop() {
  Stop();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EventLoop::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    loop_thread_id_.store(std::this_thread::get_id());
    Run();
  });
}

void EventLoop::Stop() {
  if (stopping_.exchange(true)) {
    if (thread_.joinable() && !InLoopThread()) thread_.join();
    return;
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable() && !InLoopThread()) thread_.join();
  std::vector<std::function<void()>> dropped;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    dropped.swap(posted_);
  }
  // Destroyed here, unrun, outside the lock (they may own watchers).
}

bool EventLoop::InLoopThread() const { return loop_thread_id_.load() == std::this_thread::get_id(); }

void EventLoop::Post(std::function<void()> task) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    wake = posted_.empty();
    posted_.push_back(std::move(task));
  }
  if (wake) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
}

Status EventLoop::Control(int op, const char* what, int fd, uint32_t events, Watcher* watcher) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = watcher;
  if (::epoll_ctl(epoll_fd_, op, fd, &ev) != 0) return ErrnoError(errno, what);
  return Status::OK();
}

Status EventLoop::Add(int fd, uint32_t events, Watcher* watcher) {
  return Control(EPOLL_CTL_ADD, "epoll_ctl(ADD)", fd, events, watcher);
}

Status EventLoop::SetInterest(int fd, uint32_t events, Watcher* watcher) {
  return Control(EPOLL_CTL_MOD, "epoll_ctl(MOD)", fd, events, watcher);
}

void EventLoop::Remove(int fd) { (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void EventLoop::Run() {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  int64_t next_tick = tick_ms_ > 0 ? MonotonicMillis() + tick_ms_ : 0;
  while (!stopping_.load()) {
    int timeout = -1;
    if (tick_ms_ > 0) timeout = static_cast<int>(std::max<int64_t>(0, next_tick - MonotonicMillis()));
    const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, timeout);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      auto* watcher = static_cast<Watcher*>(events[i].data.ptr);
      if (watcher == nullptr) {
        uint64_t count;
        while (::read(wake_fd_, &count, sizeof count) > 0) {
        }
        continue;
      }
      watcher->OnEvents(events[i].events);
    }
    RunPosted();
    if (tick_ms_ > 0 && MonotonicMillis() >= next_tick) {
      tick_();
      next_tick = MonotonicMillis() + tick_ms_;
    }
  }
  RunPosted();  // what was posted before Stop still runs
}

}  // namespace cairn
