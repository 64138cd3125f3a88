// ForkJoin: a fixed set of threads that run the parts of one parallel loop together with
// the calling thread and return when all parts are done. The CPU kernels split a
// partition's rows over it, so a call costs a wake-up, not thread creation.
//
// Thread-safety: Run may be called by one thread at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cairn::ml {

class ForkJoin {
 public:
  // threads: how many run a loop in all, the caller included (>= 1).
  explicit ForkJoin(int threads);
  ~ForkJoin();
  ForkJoin(const ForkJoin&) = delete;
  ForkJoin& operator=(const ForkJoin&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // fn(part) for every part in [0, parts), spread over the threads.
  void Run(int parts, const std::function<void(int)>& fn);

 private:
  void Work();
  void Drain();

  std::mutex mu_;
  std::condition_variable cv_;       // workers wait for a new generation
  std::condition_variable done_cv_;  // the caller waits for the parts
  uint64_t generation_ = 0;          // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  const std::function<void(int)>* fn_ = nullptr;  // guarded by mu_ (set per Run)
  int parts_ = 0;                    // guarded by mu_
  std::atomic<int> next_{0};
  int done_ = 0;                     // guarded by mu_: parts finished
  int active_ = 0;                   // guarded by mu_: threads inside the current loop
  std::vector<std::thread> workers_;
};

}  // namespace cairn::ml
