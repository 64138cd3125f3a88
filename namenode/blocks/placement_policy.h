// PlacementPolicy: where new replicas go (HDFS's BlockPlacementPolicyDefault). For a new
// block: the first replica on the writer's node when the writer is a live datanode (a
// random one of them when several share its ip, as in local clusters), else a random node;
// the second on another rack than the first; the third on the second's rack but another
// node; the rest at random, at most (n-1)/racks+2 per rack. Re-replication continues the
// same sequence after the replicas that exist. Never two replicas on one node; excluded,
// dead, decommissioning and nearly full nodes are skipped; stale nodes and nodes with more
// than twice the average number of active transfers are skipped too unless nothing else
// is left. Random picks take the less loaded of two random candidates. A request may ask
// for a new rack (to spread a block that sits on one rack only). It also picks which
// replicas to drop when a block has too many (keeping rack diversity, freeing the fullest
// node first).
//
// Thread-safety: const and stateless apart from a thread-local random generator; call
// from any thread. Works on NodeView snapshots, never under another component's lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "namenode/blocks/datanode_manager.h"

namespace cairn::namenode {

struct PlacementRequest {
  int replicas = 0;                       // how many targets to choose
  std::string writer_ip;                  // client address; "" when unknown
  std::vector<uint32_t> existing;         // nodes holding replicas already (their racks count)
  std::unordered_set<uint32_t> excluded;  // never chosen
  std::vector<std::string> favored;       // "host:port" or "ip:port" hints, tried first
  uint64_t block_size = 0;                // a target needs at least this much free space
  bool avoid_local = false;               // do not place on the writer's node
  bool new_rack = false;                  // each target on a rack none of `existing` is on, if any is left
};

class PlacementPolicy {
 public:
  // nodes[i].index must equal i (DatanodeManager::Snapshot order). Returns up to
  // req.replicas node indices, in pipeline order.
  std::vector<uint32_t> ChooseTargets(const std::vector<NodeView>& nodes, const PlacementRequest& req) const;

  // Which of `replicas` to remove so that `keep` remain.
  std::vector<uint32_t> ChooseExcess(const std::vector<NodeView>& nodes, std::vector<uint32_t> replicas,
                                     size_t keep) const;

  // Number of distinct racks among live nodes.
  static size_t LiveRacks(const std::vector<NodeView>& nodes);
};

}  // namespace cairn::namenode
