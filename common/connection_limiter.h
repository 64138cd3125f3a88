// ConnectionLimiter: the open connections of a server, counted in all and per client
// address, against the bounds a new one is admitted under (a total and a per-address
// maximum). The Hadoop IPC door and the datanode's transfer port both admit connections
// through it, and release them through it when they close.
//
// Thread-safety: none of its own; the owning server calls it under its own lock.
#pragma once

#include <string>
#include <unordered_map>

namespace cairn {

class ConnectionLimiter {
 public:
  enum class Admission { kAdmitted, kTooMany, kTooManyFromAddress };

  ConnectionLimiter(int max_total, int max_per_address) : max_total_(max_total), max_per_address_(max_per_address) {}

  // Counts a new connection from `address` unless a bound is reached, and says which.
  Admission Admit(const std::string& address);
  // A connection Admit counted has closed.
  void Release(const std::string& address);

  int total() const { return total_; }
  int from(const std::string& address) const;

 private:
  const int max_total_;
  const int max_per_address_;
  int total_ = 0;
  std::unordered_map<std::string, int> per_address_;  // only addresses with open connections
};

}  // namespace cairn
