// Time helpers: monotonic milliseconds for deadlines and intervals, wall-clock
// milliseconds since the epoch for file times (HDFS's modification_time/access_time).
#pragma once

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

}  // namespace cairn
