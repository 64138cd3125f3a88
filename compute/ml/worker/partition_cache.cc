#include "compute/ml/worker/partition_cache.h"

namespace cairn::ml {

PartitionCache::PartitionCache(uint64_t capacity_bytes, Loader loader)
    : capacity_(capacity_bytes), loader_(std::move(loader)) {}

void PartitionCache::Insert(int32_t index, std::shared_ptr<const Partition> p) {
  auto old = entries_.find(index);
  if (old != entries_.end()) {
    stats_.bytes -= old->second.part->bytes();
    lru_.erase(old->second.lru);
    entries_.erase(old);
  }
  const uint64_t size = p->bytes();
  if (size > capacity_) return;  // used for this step only
  while (stats_.bytes + size > capacity_ && !lru_.empty()) {
    const int32_t victim = lru_.back();
    lru_.pop_back();
    auto it = entries_.find(victim);
    stats_.bytes -= it->second.part->bytes();
    entries_.erase(it);
    ++stats_.evictions;
  }
  lru_.push_front(index);
  entries_[index] = Entry{std::move(p), lru_.begin()};
  stats_.bytes += size;
}

Result<std::shared_ptr<const Partition>> PartitionCache::Load(const MlLoadRequest& req) {
  {
    std::lock_guard lock(mu_);
    known_[req.partition()] = req;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Partition> p, loader_(req));
  std::lock_guard lock(mu_);
  ++stats_.misses;
  Insert(req.partition(), p);
  return p;
}

Result<std::shared_ptr<const Partition>> PartitionCache::Get(int32_t index, bool* hit) {
  MlLoadRequest req;
  *hit = false;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(index);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ++stats_.hits;
      *hit = true;
      return it->second.part;
    }
    auto k = known_.find(index);
    if (k == known_.end()) return NotFound("partition {} was never loaded by this worker", index);
    req = k->second;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Partition> p, loader_(req));
  std::lock_guard lock(mu_);
  ++stats_.misses;
  Insert(index, p);
  return p;
}

PartitionCache::Stats PartitionCache::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.partitions = static_cast<int64_t>(entries_.size());
  return s;
}

}  // namespace cairn::ml
