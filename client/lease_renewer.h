// LeaseRenewer: keeps the namenode lease of one client name alive while that client has
// files open for writing. The namenode grants the lease on create/append and lets another
// client take the file over once the lease's soft limit (60 s by default) passes without a
// renewLease; so while at least one output stream is open, one background thread calls
// renewLease(clientName) every interval_ms (soft limit / 2 by default).
//
// Owned by the client context; streams call AddWriter() when they open and RemoveWriter()
// when they close. The thread starts with the first writer and stops in the destructor.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cairn::client {

class NamenodeClient;

class LeaseRenewer {
 public:
  LeaseRenewer(NamenodeClient* namenode, std::string client_name, int interval_ms);
  ~LeaseRenewer();
  LeaseRenewer(const LeaseRenewer&) = delete;
  LeaseRenewer& operator=(const LeaseRenewer&) = delete;

  void AddWriter();
  void RemoveWriter();
  // Successful renewals so far (for tests and logs).
  int64_t renewals() const;

 private:
  void Run();

  NamenodeClient* const namenode_;
  const std::string client_name_;
  const int interval_ms_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int writers_ = 0;        // guarded by mu_: open output streams
  bool stop_ = false;      // guarded by mu_
  int64_t renewals_ = 0;   // guarded by mu_
  std::thread thread_;     // started by the first AddWriter (under mu_)
};

}  // namespace cairn::client
