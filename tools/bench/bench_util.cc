#include "tools/bench/bench_util.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace cairn::bench {

Result<double> RunParallel(int threads, const std::function<Status(int)>& fn) {
  std::mutex mu;
  Status first_error;  // guarded by mu
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(threads));
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Status st = fn(t);
      if (!st.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = st;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!first_error.ok()) return first_error;
  return seconds;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

std::vector<uint8_t> Payload(size_t n, uint64_t seed) {
  std::vector<uint8_t> out(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    for (size_t k = 0; k < 8 && i + k < n; ++k) out[i + k] = static_cast<uint8_t>(x >> (8 * k));
  }
  return out;
}

void PrintFigure(const nlohmann::json& figure) {
  std::string line = figure.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

uint64_t ShareOf(uint64_t total, int threads, int index) {
  const auto t = static_cast<uint64_t>(threads);
  return total / t + (static_cast<uint64_t>(index) < total % t ? 1 : 0);
}

}  // namespace cairn::bench
