// Helpers shared by the cairn-bench benchmarks: running a function on T threads and timing
// it, medians, deterministic payload bytes, and printing one JSON line per figure.
//
// Thread-safety: RunParallel runs fn concurrently; everything else is single-threaded.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::bench {

// Runs fn(thread_index) on `threads` threads; returns the wall time in seconds, or the
// first error any thread returned.
Result<double> RunParallel(int threads, const std::function<Status(int)>& fn);

double Median(std::vector<double> values);

// n pseudo-random bytes (the same for the same seed).
std::vector<uint8_t> Payload(size_t n, uint64_t seed);

// Prints one JSON document on its own line to stdout and flushes.
void PrintFigure(const nlohmann::json& figure);

// Splits `total` operations among `threads` (the first ones take the remainder).
uint64_t ShareOf(uint64_t total, int threads, int index);

}  // namespace cairn::bench
