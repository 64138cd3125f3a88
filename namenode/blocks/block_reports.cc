// BlockManager: datanode events and block reports.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "namenode/blocks/block_manager.h"

namespace cairn::namenode {

void BlockManager::EnsureNodeLocked(uint32_t node) {
  if (node < node_blocks_.size()) return;
  node_blocks_.resize(node + 1);
  node_alive_.resize(node + 1, false);
  node_decom_.resize(node + 1, false);
  node_streams_.resize(node + 1, 0);
}

void BlockManager::NodeRegistered(uint32_t node) {
  std::lock_guard lock(mu_);
  EnsureNodeLocked(node);
  node_alive_[node] = true;
  // A (re)started node forgot the copies it was asked to make or receive.
  DropPendingForNodeLocked(node);
}

void BlockManager::DropPendingForNodeLocked(uint32_t node) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto& p = it->second;
    if (p.source == node) {
      needs_check_.insert(it->first);
      it = pending_.erase(it);
      continue;
    }
    p.targets.erase(std::remove(p.targets.begin(), p.targets.end(), node), p.targets.end());
    if (p.targets.empty()) {
      if (p.source < node_streams_.size() && node_streams_[p.source] > 0) --node_streams_[p.source];
      needs_check_.insert(it->first);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  node_streams_[node] = 0;
}

void BlockManager::NodeDied(uint32_t node) {
  std::lock_guard lock(mu_);
  EnsureNodeLocked(node);
  node_alive_[node] = false;
  std::unordered_set<uint64_t> held = std::move(node_blocks_[node]);
  node_blocks_[node].clear();
  DropPendingForNodeLocked(node);
  for (uint64_t id : held) {
    auto it = blocks_.find(id);
    if (it == blocks_.end()) continue;
    RemoveReplicaLocked(id, it->second, node);
    ChangedLocked(id, it->second);
  }
  spdlog::info("datanode {} is gone; {} of its replicas no longer count", node, held.size());
}

void BlockManager::RemoveReplicaLocked(uint64_t id, BlockInfo& b, uint32_t node) {
  auto& reps = b.replicas;
  reps.erase(std::remove_if(reps.begin(), reps.end(), [&](const ReplicaInfo& r) { return r.node == node; }),
             reps.end());
  if (node < node_blocks_.size()) node_blocks_[node].erase(id);
}

void BlockManager::ReportReplicaLocked(uint32_t node, const BlockReplica& r, bool finalized) {
  const uint64_t id = r.block_id();
  auto it = blocks_.find(id);
  if (it == blocks_.end()) {
    // No file owns this block (deleted, abandoned, or never committed): free the space.
    datanodes_.QueueInvalidate(node, id, r.gen_stamp(), r.num_bytes());
    return;
  }
  BlockInfo& b = it->second;
  if (r.gen_stamp() < b.gen_stamp) {
    // Left behind by a pipeline that moved on to a newer stamp.
    datanodes_.QueueInvalidate(node, id, r.gen_stamp(), r.num_bytes());
    RemoveReplicaLocked(id, b, node);
    ChangedLocked(id, b);
    return;
  }
  ReplicaInfo* rep = nullptr;
  for (auto& existing : b.replicas) {
    if (existing.node == node) rep = &existing;
  }
  if (rep == nullptr) {
    rep = &b.replicas.emplace_back();
    rep->node = node;
    node_blocks_[node].insert(id);
  }
  rep->gen_stamp = r.gen_stamp();
  rep->num_bytes = r.num_bytes();
  rep->finalized = finalized;
  if (r.corrupt() && !rep->corrupt) {
    spdlog::warn("blk_{}: node {} reports its replica corrupt", id, node);
    rep->corrupt = true;
    DropPendingFromSourceLocked(id, node);
  }
  if (r.gen_stamp() > b.gen_stamp && b.state != BlockState::kUnderConstruction && !rep->corrupt) {
    spdlog::warn("blk_{}: node {} reports stamp {} newer than the namenode's {}; marking it corrupt", id, node,
                 r.gen_stamp(), b.gen_stamp);
    rep->corrupt = true;
  }
  if (finalized) PendingTargetReachedLocked(id, node);
  ChangedLocked(id, b);
}

void BlockManager::ProcessFullReport(uint32_t node, const BlockReportRequest& report) {
  size_t held = 0;
  {
    std::lock_guard lock(mu_);
    EnsureNodeLocked(node);
    if (!node_alive_[node]) return;
    std::unordered_set<uint64_t> unreported = node_blocks_[node];
    for (const auto& r : report.replicas()) {
      unreported.erase(r.block_id());
      ReportReplicaLocked(node, r, r.state() == BlockReplica::FINALIZED);
    }
    for (uint64_t id : unreported) {
      auto it = blocks_.find(id);
      if (it == blocks_.end()) continue;
      RemoveReplicaLocked(id, it->second, node);
      ChangedLocked(id, it->second);
    }
    held = node_blocks_[node].size();
  }
  datanodes_.SetNumBlocks(node, held);
  datanodes_.NoteBlockReport(node);
  spdlog::debug("full block report from node {}: {} replicas reported, {} held", node, report.replicas_size(), held);
}

void BlockManager::ProcessIncrementalReport(uint32_t node, const IncrementalBlockReportRequest& report) {
  size_t held = 0;
  {
    std::lock_guard lock(mu_);
    EnsureNodeLocked(node);
    if (!node_alive_[node]) return;
    for (const auto& entry : report.blocks()) {
      const BlockReplica& r = entry.replica();
      switch (entry.kind()) {
        case ReceivedDeletedBlock::RECEIVED:
          ReportReplicaLocked(node, r, /*finalized=*/true);
          break;
        case ReceivedDeletedBlock::RECEIVING:
          ReportReplicaLocked(node, r, /*finalized=*/false);
          break;
        case ReceivedDeletedBlock::DELETED: {
          auto it = blocks_.find(r.block_id());
          if (it == blocks_.end()) break;
          RemoveReplicaLocked(r.block_id(), it->second, node);
          ChangedLocked(r.block_id(), it->second);
          break;
        }
      }
    }
    held = node_blocks_[node].size();
  }
  datanodes_.SetNumBlocks(node, held);
}

void BlockManager::MarkCorrupt(uint64_t id, uint32_t node, std::string_view reason) {
  std::lock_guard lock(mu_);
  EnsureNodeLocked(node);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) {
    spdlog::info("bad block report for unknown blk_{} on node {} ignored", id, node);
    return;
  }
  BlockInfo& b = it->second;
  ReplicaInfo* rep = nullptr;
  for (auto& r : b.replicas) {
    if (r.node == node) rep = &r;
  }
  if (rep == nullptr) {
    // Not reported yet, but known bad: record it so it is never handed out and gets deleted.
    rep = &b.replicas.emplace_back();
    rep->node = node;
    rep->gen_stamp = b.gen_stamp;
    rep->num_bytes = b.num_bytes;
    rep->finalized = true;
    node_blocks_[node].insert(id);
  }
  if (!rep->corrupt) spdlog::warn("blk_{} on node {} marked corrupt: {}", id, node, reason);
  rep->corrupt = true;
  DropPendingFromSourceLocked(id, node);
  ChangedLocked(id, b);
}

}  // namespace cairn::namenode
