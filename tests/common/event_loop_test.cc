// EventLoop: watchers are called on the loop thread when their descriptor is ready, only
// for the interest they asked for; posted tasks run there too, in order; the tick runs;
// tasks posted after Stop are dropped unrun.
#include "common/event_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "tests/support/test_util.h"

namespace cairn {
namespace {

class PipeWatcher : public EventLoop::Watcher {
 public:
  explicit PipeWatcher(int fd) : fd_(fd) {}
  void OnEvents(uint32_t events) override {
    if (events & EPOLLIN) {
      char buf[64];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n > 0) bytes.fetch_add(static_cast<int>(n));
    }
    calls.fetch_add(1);
  }
  std::atomic<int> bytes{0};
  std::atomic<int> calls{0};

 private:
  int fd_;
};

bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(EventLoopTest, WatchersSeeTheirDescriptorOnTheLoopThread) {
  ASSERT_OK_AND_ASSIGN(auto loop, EventLoop::Create("test-loop", 0, nullptr));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  PipeWatcher watcher(fds[0]);
  ASSERT_OK(loop->Add(fds[0], EPOLLIN, &watcher));
  loop->Start();
  ASSERT_EQ(::write(fds[1], "hello", 5), 5);
  EXPECT_TRUE(WaitFor([&] { return watcher.bytes.load() == 5; }));

  // Without EPOLLIN in the interest, ready input does not call the watcher.
  std::promise<Status> changed;
  loop->Post([&] { changed.set_value(loop->SetInterest(fds[0], 0, &watcher)); });
  ASSERT_OK(changed.get_future().get());
  const int calls = watcher.calls.load();
  ASSERT_EQ(::write(fds[1], "more", 4), 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(watcher.calls.load(), calls);
  EXPECT_EQ(watcher.bytes.load(), 5);
  std::promise<Status> again;
  loop->Post([&] { again.set_value(loop->SetInterest(fds[0], EPOLLIN, &watcher)); });
  ASSERT_OK(again.get_future().get());
  EXPECT_TRUE(WaitFor([&] { return watcher.bytes.load() == 9; }));

  loop->Post([&] { loop->Remove(fds[0]); });
  loop->Stop();
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(EventLoopTest, PostedTasksRunInOrderOnTheLoopAndNotAfterStop) {
  std::atomic<int> ticks{0};
  ASSERT_OK_AND_ASSIGN(auto loop, EventLoop::Create("test-loop", 10, [&] { ticks.fetch_add(1); }));
  loop->Start();
  std::vector<int> order;
  std::atomic<bool> all_on_loop{true};
  std::promise<void> done;
  for (int i = 0; i < 100; ++i) {
    loop->Post([&, i] {
      if (!loop->InLoopThread()) all_on_loop = false;
      order.push_back(i);
      if (i == 99) done.set_value();
    });
  }
  done.get_future().get();
  EXPECT_TRUE(all_on_loop.load());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_FALSE(loop->InLoopThread());
  EXPECT_TRUE(WaitFor([&] { return ticks.load() >= 3; }));

  loop->Stop();
  auto flag = std::make_shared<int>(0);
  std::weak_ptr<int> alive = flag;
  bool ran = false;
  loop->Post([&ran, flag] { ran = true; });
  flag.reset();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(alive.expired()) << "a task posted after Stop must be dropped, not kept";
}

}  // namespace
}  // namespace cairn
