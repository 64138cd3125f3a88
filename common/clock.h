// Time helpers: monotonic milliseconds for deadlines and intervals, wall-clock
// milliseconds since the epoch for file times (HDFS's modification_time/access_time).
//
// Clock is the seam over them for the timers whose expiry tests must drive (leases, a
// datanode's liveness): the process passes SystemClock(), a test a ManualClock it moves
// forward by hand, so a lease or heartbeat test needs no sleep. (Tokens take the time as
// an argument already.)
//
// Thread-safety: every function and both clocks may be used from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace cairn {

inline int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t MonotonicMillis() const = 0;
  virtual int64_t WallMillis() const = 0;
};

// The real time: the free functions above.
const Clock& SystemClock();

// Time that moves only when Advance is called. Starts at `start_ms` on both scales.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'000'000) : mono_(start_ms), wall_(start_ms) {}
  int64_t MonotonicMillis() const override { return mono_.load(); }
  int64_t WallMillis() const override { return wall_.load(); }
  void Advance(int64_t ms) {
    mono_ += ms;
    wall_ += ms;
  }

 private:
  std::atomic<int64_t> mono_;
  std::atomic<int64_t> wall_;
};

}  // namespace cairn
