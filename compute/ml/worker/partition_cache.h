// PartitionCache: the parsed partitions an ML worker keeps in memory across the steps of
// its job, bounded in bytes and evicting the least recently used. It also remembers, for
// every partition it was ever given, how to load it again (the load request: split, local
// replica files, format), so a step that meets an evicted partition reads it again
// (a miss) instead of failing. Hits and misses are counted for the job's counters.
//
// Thread-safety: all methods lock mu_; the loader callback runs without it.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>

#include "cairn/ml_worker.pb.h"
#include "common/status.h"
#include "compute/ml/partition.h"

namespace cairn::ml {

class PartitionCache {
 public:
  using Loader = std::function<Result<std::shared_ptr<const Partition>>(const MlLoadRequest&)>;

  PartitionCache(uint64_t capacity_bytes, Loader loader);

  // Loads (always reading) and caches the partition of req; remembers req.
  Result<std::shared_ptr<const Partition>> Load(const MlLoadRequest& req);
  // The partition: from memory (a hit, *hit = true) or loaded again (a miss); NotFound
  // when it was never given to this worker.
  Result<std::shared_ptr<const Partition>> Get(int32_t index, bool* hit);

  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t evictions = 0;
    uint64_t bytes = 0;
    int64_t partitions = 0;
  };
  Stats stats() const;

 private:
  void Insert(int32_t index, std::shared_ptr<const Partition> p);  // mu_ held

  const uint64_t capacity_;
  const Loader loader_;
  mutable std::mutex mu_;
  std::map<int32_t, MlLoadRequest> known_;  // guarded by mu_: every partition given
  struct Entry {
    std::shared_ptr<const Partition> part;
    std::list<int32_t>::iterator lru;
  };
  std::map<int32_t, Entry> entries_;        // guarded by mu_
  std::list<int32_t> lru_;                  // guarded by mu_: most recent first
  Stats stats_;                             // guarded by mu_
};

}  // namespace cairn::ml
