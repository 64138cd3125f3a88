// BlockManager: decommissioning. A decommissioning node's replicas stop counting toward
// replication, so the monitor copies its blocks elsewhere (from it or another holder); the
// node is done once every block it holds has enough good replicas on other nodes.
#include <algorithm>

#include "namenode/blocks/block_manager.h"

namespace cairn::namenode {

void BlockManager::SetDecommissioning(uint32_t node, bool decommissioning) {
  std::lock_guard lock(mu_);
  EnsureNodeLocked(node);
  if (node_decom_[node] == decommissioning) return;
  node_decom_[node] = decommissioning;
  // Its blocks need a fresh look: under-replicated now, or over-replicated again.
  std::vector<uint64_t> held(node_blocks_[node].begin(), node_blocks_[node].end());
  for (uint64_t id : held) {
    auto it = blocks_.find(id);
    if (it != blocks_.end()) ChangedLocked(id, it->second);
  }
}

BlockManager::DecommissionProgress BlockManager::Decommission(uint32_t node) const {
  std::lock_guard lock(mu_);
  DecommissionProgress p;
  if (node >= node_blocks_.size()) return p;
  int normal_nodes = 0;
  for (size_t n = 0; n < node_alive_.size(); ++n) normal_nodes += node_alive_[n] && !node_decom_[n] ? 1 : 0;
  p.blocks = node_blocks_[node].size();
  for (uint64_t id : node_blocks_[node]) {
    auto it = blocks_.find(id);
    if (it == blocks_.end()) continue;
    const BlockInfo& b = it->second;
    // A block still being written waits for its file to close, as in HDFS.
    if (b.state != BlockState::kComplete) {
      ++p.pending;
      continue;
    }
    const int needed = std::max(1, std::min(static_cast<int>(b.expected_replication), normal_nodes));
    if (CountGoodLocked(b) < needed) ++p.pending;
  }
  return p;
}

}  // namespace cairn::namenode
