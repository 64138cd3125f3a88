// LeaseManager: which client holds the write lease on which open files (HDFS's
// LeaseManager). A lease belongs to a client name and covers all files that client has
// open; renewLease refreshes it (one hash-map update). Past the soft limit another client
// may take a file over (after recovery); past the hard limit the namenode recovers the
// files itself. Leases live in memory only: at start-up they are rebuilt from the files
// under construction in the namespace, each starting a fresh period.
//
// Thread-safety: all functions may be called from any thread; mu_ guards the maps.
// Lock order: the namespace lock, then mu_.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace cairn::namenode {

// The lease holder name the namenode uses for files whose writer it gave up on (HDFS's).
inline constexpr const char* kNamenodeLeaseHolder = "HDFS_NameNode";

class LeaseManager {
 public:
  // `clock` (which must outlive the manager) times the leases: SystemClock() but in tests.
  LeaseManager(int64_t soft_limit_ms, int64_t hard_limit_ms, const Clock& clock = SystemClock())
      : soft_ms_(soft_limit_ms), hard_ms_(hard_limit_ms), clock_(clock) {}

  // Grants (or extends) `client`'s lease to cover the file and renews it.
  void Add(const std::string& client, uint64_t inode_id);
  // The file is closed or gone.
  void Remove(const std::string& client, uint64_t inode_id);
  // The files are gone, whoever held them.
  void RemoveFiles(const std::vector<uint64_t>& inode_ids);
  // Holder of the file's lease; "" when none.
  std::string HolderOf(uint64_t inode_id) const;
  // False when the client holds no lease.
  bool Renew(const std::string& client);
  bool SoftLimitExpired(const std::string& client) const;

  struct Expired {
    std::string client;
    std::vector<uint64_t> files;
  };
  // Leases past the hard limit, and every lease the namenode holds itself (files whose
  // recovery it took over and retries each round).
  std::vector<Expired> HardLimitExpired() const;

  size_t lease_count() const;
  size_t file_count() const;

 private:
  struct Lease {
    int64_t renewed_ms = 0;  // monotonic
    std::set<uint64_t> files;
  };
  const int64_t soft_ms_;
  const int64_t hard_ms_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Lease> leases_;  // guarded by mu_
  std::unordered_map<uint64_t, std::string> holder_;  // guarded by mu_: file -> client
};

}  // namespace cairn::namenode
