// DrainGate: counts the calls a server is running and, at shutdown, stops admitting new
// ones and waits for the running ones to finish. gRPC's own Shutdown(deadline) also waits
// for idle client connections to go away, which clients notice only on their next poll
// (seconds later); draining first lets the server then shut down at once without cutting
// off any call it had accepted.
//
// Thread-safety: all functions may be called from any thread; mu_ guards the counters.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace cairn::namenode {

class DrainGate {
 public:
  // False once draining: the caller should answer "unavailable".
  bool Enter() {
    std::lock_guard lock(mu_);
    if (draining_) return false;
    ++running_;
    return true;
  }
  void Leave() {
    std::lock_guard lock(mu_);
    if (--running_ == 0) idle_.notify_all();
  }
  // Stops admitting calls; true when every running call finished within the timeout.
  bool Drain(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    draining_ = true;
    return idle_.wait_for(lock, timeout, [&] { return running_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  int running_ = 0;        // guarded by mu_
  bool draining_ = false;  // guarded by mu_
};

}  // namespace cairn::namenode
