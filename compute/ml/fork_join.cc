#include "compute/ml/fork_join.h"

namespace cairn::ml {

ForkJoin::ForkJoin(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ForkJoin::~ForkJoin() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ForkJoin::Drain() {
  const std::function<void(int)>* fn;
  int parts;
  {
    std::lock_guard lock(mu_);
    if (fn_ == nullptr) return;
    fn = fn_;
    parts = parts_;
    ++active_;
  }
  int finished = 0;
  for (int i = next_.fetch_add(1); i < parts; i = next_.fetch_add(1)) {
    (*fn)(i);
    ++finished;
  }
  std::lock_guard lock(mu_);
  done_ += finished;
  --active_;
  if (done_ == parts_ && active_ == 0) done_cv_.notify_all();
}

void ForkJoin::Work() {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    Drain();
  }
}

void ForkJoin::Run(int parts, const std::function<void(int)>& fn) {
  if (parts <= 0) return;
  if (parts == 1 || workers_.empty()) {
    for (int i = 0; i < parts; ++i) fn(i);
    return;
  }
  {
    std::lock_guard lock(mu_);
    fn_ = &fn;
    parts_ = parts;
    done_ = 0;
    active_ = 0;
    next_.store(0);
    ++generation_;
  }
  cv_.notify_all();
  Drain();
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return done_ == parts_ && active_ == 0; });
  fn_ = nullptr;
}

}  // namespace cairn::ml
