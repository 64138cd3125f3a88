// BlockManager: the replication monitor's round (HDFS's RedundancyMonitor work).
#include <climits>

#include <algorithm>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "namenode/blocks/block_manager.h"

namespace cairn::namenode {

void BlockManager::RemoveFromQueuesLocked(uint64_t id) {
  for (auto& q : queues_) q.erase(id);
}

void BlockManager::DropPendingLocked(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  uint32_t source = it->second.source;
  if (source < node_streams_.size() && node_streams_[source] > 0) --node_streams_[source];
  pending_.erase(it);
}

void BlockManager::DropPendingFromSourceLocked(uint64_t id, uint32_t node) {
  auto it = pending_.find(id);
  if (it == pending_.end() || it->second.source != node) return;
  DropPendingLocked(id);
  needs_check_.insert(id);
}

void BlockManager::PendingTargetReachedLocked(uint64_t id, uint32_t node) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  auto& targets = it->second.targets;
  targets.erase(std::remove(targets.begin(), targets.end(), node), targets.end());
  if (targets.empty()) DropPendingLocked(id);
}

void BlockManager::InvalidateLocked(uint64_t id, BlockInfo& b, ReplicaInfo& r) {
  r.excess = true;
  datanodes_.QueueInvalidate(r.node, id, r.gen_stamp, r.num_bytes);
}

bool BlockManager::MisReplicatedLocked(const BlockInfo& b, const std::vector<NodeView>& nodes) const {
  if (b.expected_replication < 2 || live_racks_ < 2) return false;
  const std::string* first = nullptr;
  for (const auto& r : b.replicas) {
    if (!GoodLocked(b, r) || r.node >= nodes.size()) continue;
    if (first == nullptr) first = &nodes[r.node].rack;
    else if (*first != nodes[r.node].rack) return false;
  }
  return first != nullptr;
}

void BlockManager::ClassifyLocked(uint64_t id, const std::vector<NodeView>& nodes) {
  RemoveFromQueuesLocked(id);
  auto it = blocks_.find(id);
  if (it == blocks_.end() || it->second.state != BlockState::kComplete) return;
  BlockInfo& b = it->second;
  const int good = CountGoodLocked(b);
  const int live = CountLiveLocked(b);  // with the copies on decommissioning nodes
  const int expected = static_cast<int>(b.expected_replication);
  if (live == 0) {
    // Missing, or only corrupt replicas left: nothing to copy from; they stay (and the
    // block stays reported) until a good replica comes back.
    queues_[kNoGoodReplica].insert(id);
    return;
  }
  // Once a good copy exists a corrupt one has nothing to offer: delete it, which also
  // frees its node to take a good copy.
  bool changed = false;
  for (auto& r : b.replicas) {
    if (r.corrupt && !r.excess) {
      InvalidateLocked(id, b, r);
      changed = true;
    }
  }
  if (good < expected) {
    auto p = pending_.find(id);
    int in_flight = p == pending_.end() ? 0 : static_cast<int>(p->second.targets.size());
    if (good + in_flight < expected) {
      Priority prio = good <= 1 ? kHighest : good * 3 < expected ? kVeryUnder : kUnder;
      queues_[prio].insert(id);
    }
  } else if (good == expected) {
    if (!pending_.count(id) && MisReplicatedLocked(b, nodes)) queues_[kMisReplicated].insert(id);
  } else {
    std::vector<uint32_t> holders;
    bool known = true;
    for (const auto& r : b.replicas) {
      if (!GoodLocked(b, r)) continue;
      holders.push_back(r.node);
      known = known && r.node < nodes.size();
    }
    if (!known) {
      needs_check_.insert(id);  // a node newer than the snapshot: decide next round
    } else {
      for (uint32_t n : placement_.ChooseExcess(nodes, holders, static_cast<size_t>(expected))) {
        for (auto& r : b.replicas) {
          if (r.node == n) InvalidateLocked(id, b, r);
        }
        changed = true;
      }
    }
  }
  if (changed) ChangedLocked(id, b);
}

bool BlockManager::ScheduleLocked(uint64_t id, BlockInfo& b, const std::vector<NodeView>& nodes, int64_t now) {
  if (pending_.count(id)) return false;
  int need = static_cast<int>(b.expected_replication) - CountGoodLocked(b);
  const bool spread = need <= 0 && MisReplicatedLocked(b, nodes);
  if (need <= 0 && !spread) return false;
  if (spread) need = 1;
  // The least busy holder of a readable copy; decommissioning nodes first, as HDFS does:
  // they take no new writes, and their copies are the ones about to go away.
  std::optional<uint32_t> source;
  int best = INT_MAX;
  for (const auto& r : b.replicas) {
    if (!LiveLocked(b, r)) continue;
    int streams = node_streams_[r.node];
    if (GoodLocked(b, r)) streams += options_.max_replication_streams;
    if (node_streams_[r.node] < options_.max_replication_streams && streams < best) {
      best = streams;
      source = r.node;
    }
  }
  if (!source) return false;
  PlacementRequest req;
  req.replicas = need;
  req.block_size = b.num_bytes;
  req.new_rack = spread;
  for (const auto& r : b.replicas) {
    if (r.node < nodes.size()) req.existing.push_back(r.node);
    else req.excluded.insert(r.node);
  }
  std::vector<uint32_t> targets = placement_.ChooseTargets(nodes, req);
  if (targets.empty()) return false;
  ReplicateCommand cmd;
  auto* blk = cmd.mutable_block();
  blk->set_poolid(options_.block_pool_id);
  blk->set_blockid(id);
  blk->set_generationstamp(b.gen_stamp);
  blk->set_numbytes(b.num_bytes);
  for (uint32_t t : targets) datanodes_.FillInfo(t, cmd.add_targets());
  datanodes_.QueueReplicate(*source, std::move(cmd));
  pending_[id] = PendingReplication{*source, targets, now};
  ++node_streams_[*source];
  spdlog::debug("blk_{}: replicate from node {} to {} node(s)", id, *source, targets.size());
  return true;
}

size_t BlockManager::RunReplicationRound(size_t max_work) {
  std::vector<NodeView> nodes = datanodes_.Snapshot();
  const int64_t now = MonotonicMillis();
  std::unordered_set<std::string> racks;
  for (const auto& n : nodes) {
    if (n.alive && !n.decommissioning) racks.insert(n.rack);
  }
  std::lock_guard lock(mu_);
  live_racks_ = racks.size();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.issued_ms > options_.replication_timeout_ms) {
      uint64_t id = it->first;
      ++it;
      spdlog::info("blk_{}: re-replication timed out; issuing it again", id);
      DropPendingLocked(id);
      needs_check_.insert(id);
    } else {
      ++it;
    }
  }
  std::unordered_set<uint64_t> check;
  check.swap(needs_check_);
  for (uint64_t id : check) ClassifyLocked(id, nodes);
  size_t scheduled = 0;
  for (Priority prio : {kHighest, kVeryUnder, kUnder, kMisReplicated}) {
    for (uint64_t id : queues_[prio]) {
      if (scheduled >= max_work) return scheduled;
      auto it = blocks_.find(id);
      if (it != blocks_.end() && ScheduleLocked(id, it->second, nodes, now)) ++scheduled;
    }
  }
  return scheduled;
}

}  // namespace cairn::namenode
