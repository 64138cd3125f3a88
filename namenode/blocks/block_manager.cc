#include "namenode/blocks/block_manager.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace cairn::namenode {

BlockManager::BlockManager(BlockManagerOptions options, DatanodeManager& datanodes, const PlacementPolicy& placement)
    : options_(std::move(options)), datanodes_(datanodes), placement_(placement) {}

bool BlockManager::ReplicaCounts(const BlockInfo& b, const ReplicaInfo& r) {
  if (r.corrupt || r.excess || !r.finalized || r.gen_stamp != b.gen_stamp) return false;
  return b.state == BlockState::kUnderConstruction || r.num_bytes == b.num_bytes;
}

bool BlockManager::LiveLocked(const BlockInfo& b, const ReplicaInfo& r) const {
  return r.node < node_alive_.size() && node_alive_[r.node] && ReplicaCounts(b, r);
}

bool BlockManager::GoodLocked(const BlockInfo& b, const ReplicaInfo& r) const {
  return LiveLocked(b, r) && !(r.node < node_decom_.size() && node_decom_[r.node]);
}

int BlockManager::CountGoodLocked(const BlockInfo& b) const {
  int n = 0;
  for (const auto& r : b.replicas) n += GoodLocked(b, r) ? 1 : 0;
  return n;
}

int BlockManager::CountLiveLocked(const BlockInfo& b) const {
  int n = 0;
  for (const auto& r : b.replicas) n += LiveLocked(b, r) ? 1 : 0;
  return n;
}

void BlockManager::ChangedLocked(uint64_t id, BlockInfo& b) {
  if (b.state != BlockState::kUnderConstruction) {
    for (auto& r : b.replicas) {
      // A finalized replica whose length disagrees with the committed length is damaged.
      if (r.finalized && !r.corrupt && r.gen_stamp == b.gen_stamp && r.num_bytes != b.num_bytes) {
        spdlog::warn("blk_{}: replica on node {} has {} bytes, expected {}; marking it corrupt", id, r.node,
                     r.num_bytes, b.num_bytes);
        r.corrupt = true;
      }
    }
  }
  // Replicas on decommissioning nodes are readable: they count for completion and safe mode.
  const int live = CountLiveLocked(b);
  if (b.state == BlockState::kCommitted && live >= options_.min_replication) b.state = BlockState::kComplete;
  bool complete = b.state == BlockState::kComplete;
  if (complete != b.counted_total) {
    complete ? ++safe_total_ : --safe_total_;
    b.counted_total = complete;
  }
  bool safe = complete && live >= 1;
  if (safe != b.counted_safe) {
    safe ? ++safe_blocks_ : --safe_blocks_;
    b.counted_safe = safe;
  }
  bool has_corrupt = std::any_of(b.replicas.begin(), b.replicas.end(), [](const ReplicaInfo& r) { return r.corrupt; });
  if (has_corrupt != b.has_corrupt) {
    if (has_corrupt) corrupt_.insert(id);
    else corrupt_.erase(id);
    b.has_corrupt = has_corrupt;
  }
  if (complete) needs_check_.insert(id);
  replicas_changed_.notify_all();
}

void BlockManager::ForgetLocked(uint64_t id, BlockInfo& b) {
  if (b.counted_total) --safe_total_;
  if (b.counted_safe) --safe_blocks_;
  if (b.has_corrupt) corrupt_.erase(id);
  for (const auto& r : b.replicas) {
    if (r.node < node_blocks_.size()) node_blocks_[r.node].erase(id);
  }
  RemoveFromQueuesLocked(id);
  DropPendingLocked(id);
  needs_check_.erase(id);
}

void BlockManager::AddBlock(uint64_t id, uint64_t inode_id, uint64_t gen_stamp, uint64_t num_bytes,
                            uint32_t replication, BlockState state, std::vector<uint32_t> expected_locations) {
  std::lock_guard lock(mu_);
  BlockInfo& b = blocks_[id];
  b.inode_id = inode_id;
  b.gen_stamp = gen_stamp;
  b.num_bytes = num_bytes;
  b.expected_replication = replication;
  b.state = state;
  b.expected_locations = std::move(expected_locations);
  ChangedLocked(id, b);
}

void BlockManager::CommitBlock(uint64_t id, uint64_t num_bytes) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  BlockInfo& b = it->second;
  b.num_bytes = num_bytes;
  if (b.state == BlockState::kUnderConstruction) b.state = BlockState::kCommitted;
  ChangedLocked(id, b);
}

void BlockManager::ForceComplete(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  it->second.state = BlockState::kComplete;
  it->second.expected_locations.clear();
  ChangedLocked(id, it->second);
}

void BlockManager::ReopenBlock(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  BlockInfo& b = it->second;
  b.state = BlockState::kUnderConstruction;
  b.recovery_id = 0;  // a recovery of an earlier life of the block is over
  b.expected_locations.clear();
  for (const auto& r : b.replicas) b.expected_locations.push_back(r.node);
  RemoveFromQueuesLocked(id);
  ChangedLocked(id, b);
}

void BlockManager::StartRecovery(uint64_t id, uint64_t recovery_id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  it->second.recovery_id = recovery_id;
  it->second.recovery_started_ms = MonotonicMillis();
}

void BlockManager::UpdateBlock(uint64_t id, uint64_t gen_stamp, uint64_t num_bytes,
                               std::optional<std::vector<uint32_t>> expected_locations) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  BlockInfo& b = it->second;
  b.gen_stamp = gen_stamp;
  b.num_bytes = num_bytes;
  if (expected_locations) b.expected_locations = std::move(*expected_locations);
  // Replicas left behind at an older stamp are stale now: the datanodes delete them.
  for (size_t i = 0; i < b.replicas.size();) {
    if (b.replicas[i].gen_stamp < gen_stamp) {
      ReplicaInfo r = b.replicas[i];
      datanodes_.QueueInvalidate(r.node, id, r.gen_stamp, r.num_bytes);
      RemoveReplicaLocked(id, b, r.node);
    } else {
      ++i;
    }
  }
  ChangedLocked(id, b);
}

void BlockManager::SetReplication(uint64_t id, uint32_t replication) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  it->second.expected_replication = replication;
  ChangedLocked(id, it->second);
}

void BlockManager::SetOwner(uint64_t id, uint64_t inode_id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it != blocks_.end()) it->second.inode_id = inode_id;
}

void BlockManager::RemoveBlocks(const std::vector<BlockRecord>& blocks) {
  std::lock_guard lock(mu_);
  for (const auto& rec : blocks) {
    auto it = blocks_.find(rec.block_id());
    if (it == blocks_.end()) continue;
    BlockInfo& b = it->second;
    for (const auto& r : b.replicas) datanodes_.QueueInvalidate(r.node, rec.block_id(), r.gen_stamp, r.num_bytes);
    ForgetLocked(rec.block_id(), b);
    blocks_.erase(it);
  }
  replicas_changed_.notify_all();
}

bool BlockManager::Contains(uint64_t id) const {
  std::lock_guard lock(mu_);
  return blocks_.count(id) > 0;
}

bool BlockManager::IsComplete(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  return it != blocks_.end() && it->second.state == BlockState::kComplete;
}

int BlockManager::GoodReplicas(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  return it == blocks_.end() ? 0 : CountGoodLocked(it->second);
}

bool BlockManager::MinimallyReplicated(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  return it != blocks_.end() && CountLiveLocked(it->second) >= options_.min_replication;
}

bool BlockManager::WaitForMinReplicas(uint64_t id, int64_t deadline_ms) {
  const auto deadline = std::chrono::steady_clock::time_point(std::chrono::milliseconds(deadline_ms));
  std::unique_lock lock(mu_);
  while (true) {
    auto it = blocks_.find(id);
    if (it == blocks_.end()) return false;
    if (CountLiveLocked(it->second) >= options_.min_replication) return true;
    if (replicas_changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      it = blocks_.find(id);
      return it != blocks_.end() && CountLiveLocked(it->second) >= options_.min_replication;
    }
  }
}

std::optional<BlockInfo> BlockManager::Get(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return std::nullopt;
  return it->second;
}

std::vector<BlockManager::Location> BlockManager::Locations(uint64_t id) const {
  std::vector<Location> out;
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return out;
  const BlockInfo& b = it->second;
  auto alive = [&](uint32_t n) { return n < node_alive_.size() && node_alive_[n]; };
  if (b.state == BlockState::kUnderConstruction) {
    for (const auto& r : b.replicas) {
      if (alive(r.node) && !r.corrupt && !r.excess && r.gen_stamp >= b.gen_stamp) out.push_back({r.node, false});
    }
    if (out.empty()) {
      for (uint32_t n : b.expected_locations)
        if (alive(n)) out.push_back({n, false});
    }
    return out;
  }
  for (const auto& r : b.replicas) {
    if (GoodLocked(b, r)) out.push_back({r.node, false});
  }
  // Copies on decommissioning nodes after the others (the sorter keeps them last).
  for (const auto& r : b.replicas) {
    if (LiveLocked(b, r) && !GoodLocked(b, r)) out.push_back({r.node, false});
  }
  if (out.empty()) {
    for (const auto& r : b.replicas) {
      if (alive(r.node) && r.corrupt) out.push_back({r.node, true});
    }
  }
  return out;
}

BlockStats BlockManager::Stats() const {
  std::lock_guard lock(mu_);
  BlockStats s;
  s.blocks = blocks_.size();
  for (Priority p : {kHighest, kVeryUnder, kUnder, kNoGoodReplica}) s.under_replicated += queues_[p].size();
  s.missing = queues_[kNoGoodReplica].size();
  s.corrupt = corrupt_.size();
  s.pending_replication = pending_.size();
  return s;
}

size_t BlockManager::NodeBlockCount(uint32_t node) const {
  std::lock_guard lock(mu_);
  return node < node_blocks_.size() ? node_blocks_[node].size() : 0;
}

}  // namespace cairn::namenode
