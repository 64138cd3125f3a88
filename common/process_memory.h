// ResidentBytes: how much memory a process on this machine holds, from /proc/PID/status
// (VmRSS). Benchmarks report a namenode's memory per file with it, and tests check that a
// server did not allocate what a hostile client merely announced.
//
// Thread-safety: thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace cairn {

// Resident memory of process `pid` in bytes; 0 when it cannot be read.
uint64_t ResidentBytes(pid_t pid);

}  // namespace cairn
