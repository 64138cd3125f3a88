// BlockManager: every block of the namespace and where its replicas are (HDFS's
// BlockManager + BlocksMap). For each block: the file (inode id) owning it, generation
// stamp, length, expected replication, state, and the replicas datanodes reported (node,
// stamp, length, finalized or being written, corrupt, excess). Nothing here is persisted:
// the namespace loads the blocks of its files at start-up and block reports fill in the
// replicas, as in HDFS.
//
// It also decides what datanodes should do about their replicas: a replica of a block no
// file owns, or with an older generation stamp, gets a deletion; over-replicated blocks
// lose their excess replicas; a corrupt replica is deleted once a good one exists (the
// block is then re-replicated, possibly onto the same node); under-replicated blocks wait
// in priority queues (one live replica first) until the replication monitor sends a
// ReplicateCommand (RunReplicationRound), at most max_replication_streams per source node.
// It keeps the counts safe mode needs and wakes complete() calls waiting for replicas.
//
// Replicas on decommissioning (or decommissioned) nodes are readable and may be copied
// from, but do not count toward replication: their blocks get copied elsewhere until the
// node can be let go (DecommissionProgress). A block under lease recovery remembers the
// recovery's id (the new stamp) and when it started, so a lost recovery is retried.
//
// States: kUnderConstruction (the last block of an open file; length not final),
// kCommitted (the writer gave the final length; waiting for min_replication replicas),
// kComplete (minimally replicated, or its file was closed). Only complete blocks count for
// safe mode and get re-replicated.
//
// Thread-safety: every public function may be called from any thread; mu_ guards all
// state. Lock order: the namespace lock, then mu_, then the DatanodeManager's lock.
// Implementation: block_manager.cc (blocks and reads), block_reports.cc (datanode
// reports and node events), replication_work.cc (the monitor round).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cairn/datanode_protocol.pb.h"
#include "cairn/namespace.pb.h"
#include "common/status.h"
#include "namenode/blocks/datanode_manager.h"
#include "namenode/blocks/placement_policy.h"

namespace cairn::namenode {

enum class BlockState : uint8_t { kUnderConstruction, kCommitted, kComplete };

struct ReplicaInfo {
  uint32_t node = 0;
  uint64_t gen_stamp = 0;
  uint64_t num_bytes = 0;
  bool finalized = false;  // false: being written (RBW)
  bool corrupt = false;
  bool excess = false;     // deletion requested; no longer counts
};

struct BlockInfo {
  uint64_t inode_id = 0;
  uint64_t gen_stamp = 0;
  uint64_t num_bytes = 0;
  uint32_t expected_replication = 0;
  BlockState state = BlockState::kComplete;
  std::vector<uint32_t> expected_locations;  // pipeline of an under-construction block
  std::vector<ReplicaInfo> replicas;
  bool counted_total = false;  // counted in safe_total_
  bool counted_safe = false;   // counted in safe_blocks_
  bool has_corrupt = false;    // listed in corrupt_
  uint64_t recovery_id = 0;    // lease recovery in progress: the stamp it will give the block
  int64_t recovery_started_ms = 0;  // monotonic, when that recovery was sent to a datanode
};

struct BlockManagerOptions {
  std::string block_pool_id;
  int min_replication = 1;
  int max_replication_streams = 4;      // re-replications in flight per source node
  int64_t replication_timeout_ms = 300000;
};

struct BlockStats {
  uint64_t blocks = 0;
  uint64_t under_replicated = 0;  // complete blocks with fewer live replicas than expected
  uint64_t corrupt = 0;           // blocks with at least one corrupt replica
  uint64_t missing = 0;           // complete blocks with no good replica
  uint64_t pending_replication = 0;
};

class BlockManager {
 public:
  BlockManager(BlockManagerOptions options, DatanodeManager& datanodes, const PlacementPolicy& placement);

  // --- Changes from namespace operations (callers hold the namespace lock) -------------
  void AddBlock(uint64_t id, uint64_t inode_id, uint64_t gen_stamp, uint64_t num_bytes, uint32_t replication,
                BlockState state, std::vector<uint32_t> expected_locations = {});
  // The writer finished the block with this length; replicas of another length are corrupt.
  void CommitBlock(uint64_t id, uint64_t num_bytes);
  // The file closed: the block is complete whatever its replica count.
  void ForceComplete(uint64_t id);
  // Back to under construction (append reopens a partial last block); the replicas it has
  // become the expected pipeline.
  void ReopenBlock(uint64_t id);
  // New stamp (and length, pipeline) after a pipeline update.
  void UpdateBlock(uint64_t id, uint64_t gen_stamp, uint64_t num_bytes,
                   std::optional<std::vector<uint32_t>> expected_locations);
  void SetReplication(uint64_t id, uint32_t replication);
  void SetOwner(uint64_t id, uint64_t inode_id);
  // Forgets the blocks and tells the datanodes holding them to delete them.
  void RemoveBlocks(const std::vector<BlockRecord>& blocks);

  // --- Questions ---------------------------------------------------------------------
  // Whether a replica counts toward the block's replication (its node being alive aside):
  // finalized, uncorrupt, not being deleted, with the block's stamp and length.
  static bool ReplicaCounts(const BlockInfo& b, const ReplicaInfo& r);
  bool Contains(uint64_t id) const;
  // Finalized, uncorrupt replicas on live, normal (not decommissioning) nodes with the
  // block's stamp and length: those that count toward replication.
  int GoodReplicas(uint64_t id) const;
  // min_replication readable replicas (decommissioning nodes included).
  bool MinimallyReplicated(uint64_t id) const;
  // Complete: reached min_replication once (or its file was closed); losing replicas later
  // makes it under-replicated, not incomplete.
  bool IsComplete(uint64_t id) const;
  int min_replication() const { return options_.min_replication; }
  // Blocks until the block has min_replication readable replicas (true) or the monotonic
  // deadline passes or the block goes away (false).
  bool WaitForMinReplicas(uint64_t id, int64_t deadline_ms);
  std::optional<BlockInfo> Get(uint64_t id) const;

  struct Location {
    uint32_t node = 0;
    bool corrupt = false;
  };
  // Where a reader should look: good replicas, then those on decommissioning nodes; all
  // corrupt ones (flagged) when no readable one exists; for a block being written, the
  // replicas reported so far or else the pipeline.
  std::vector<Location> Locations(uint64_t id) const;

  // --- Datanode events and reports (block_reports.cc) ----------------------------------
  void NodeRegistered(uint32_t node);
  // Drops every replica the node held; its blocks get re-checked.
  void NodeDied(uint32_t node);
  void ProcessFullReport(uint32_t node, const BlockReportRequest& report);
  void ProcessIncrementalReport(uint32_t node, const IncrementalBlockReportRequest& report);
  // reportBadBlocks: the replica on `node` is corrupt. A re-replication copying from that
  // replica is forgotten (and planned again from a good one).
  void MarkCorrupt(uint64_t id, uint32_t node, std::string_view reason);

  // --- Lease recovery ------------------------------------------------------------------
  // Records that recovery `recovery_id` of the block was handed to a datanode now.
  void StartRecovery(uint64_t id, uint64_t recovery_id);

  // --- Decommissioning (namenode/blocks/decommission.cc) -------------------------------
  // The node's replicas stop (or start again) counting toward replication.
  void SetDecommissioning(uint32_t node, bool decommissioning);
  struct DecommissionProgress {
    size_t blocks = 0;   // replicas the node holds
    size_t pending = 0;  // of those, blocks without enough replicas on other live nodes yet
  };
  // A block is safe to lose from the node once other live, normal nodes hold
  // min(expected replication, number of such nodes) good replicas of it (at least one).
  DecommissionProgress Decommission(uint32_t node) const;

  // --- Replication monitor (replication_work.cc) ----------------------------------------
  // Classifies blocks whose replicas changed, requests deletion of excess and corrupt
  // replicas, re-issues timed-out re-replications and schedules up to max_work new ones.
  // Returns how many re-replications it scheduled.
  size_t RunReplicationRound(size_t max_work);

  BlockStats Stats() const;
  // Safe mode's view: complete blocks, and those with at least one good replica.
  uint64_t SafeModeTotal() const { return safe_total_.load(); }
  uint64_t SafeModeReported() const { return safe_blocks_.load(); }
  size_t NodeBlockCount(uint32_t node) const;

 private:
  struct PendingReplication {
    uint32_t source = 0;
    std::vector<uint32_t> targets;
    int64_t issued_ms = 0;  // monotonic
  };
  enum Priority { kHighest = 0, kVeryUnder = 1, kUnder = 2, kMisReplicated = 3, kNoGoodReplica = 4, kNumPriorities = 5 };

  // A counted replica (see ReplicaCounts) on a live node: readable.
  bool LiveLocked(const BlockInfo& b, const ReplicaInfo& r) const;
  // Live and not on a decommissioning node: counts toward replication.
  bool GoodLocked(const BlockInfo& b, const ReplicaInfo& r) const;
  int CountGoodLocked(const BlockInfo& b) const;
  int CountLiveLocked(const BlockInfo& b) const;
  // Re-derives corruption, state, counters and queues after the block's replicas or
  // attributes changed, and wakes waiters.
  void ChangedLocked(uint64_t id, BlockInfo& b);
  void ForgetLocked(uint64_t id, BlockInfo& b);
  void EnsureNodeLocked(uint32_t node);
  void RemoveReplicaLocked(uint64_t id, BlockInfo& b, uint32_t node);
  void ReportReplicaLocked(uint32_t node, const BlockReplica& r, bool finalized);
  void InvalidateLocked(uint64_t id, BlockInfo& b, ReplicaInfo& r);
  void ClassifyLocked(uint64_t id, const std::vector<NodeView>& nodes);
  // The good replicas of a block of replication >= 2 sit on one rack while live nodes are
  // on several (as of the last round): one more copy goes to another rack, then an excess
  // one is dropped.
  bool MisReplicatedLocked(const BlockInfo& b, const std::vector<NodeView>& nodes) const;
  void RemoveFromQueuesLocked(uint64_t id);
  void DropPendingLocked(uint64_t id);
  // Forgets re-replications the node was the source or a target of; they get re-planned.
  void DropPendingForNodeLocked(uint32_t node);
  void PendingTargetReachedLocked(uint64_t id, uint32_t node);
  // Forgets the block's re-replication when it copies from `node` (whose replica went bad).
  void DropPendingFromSourceLocked(uint64_t id, uint32_t node);
  bool ScheduleLocked(uint64_t id, BlockInfo& b, const std::vector<NodeView>& nodes, int64_t now);

  const BlockManagerOptions options_;
  DatanodeManager& datanodes_;
  const PlacementPolicy& placement_;

  mutable std::mutex mu_;
  std::condition_variable replicas_changed_;                 // signalled on every replica change
  std::unordered_map<uint64_t, BlockInfo> blocks_;           // guarded by mu_
  std::vector<std::unordered_set<uint64_t>> node_blocks_;    // guarded by mu_: replicas per node
  std::vector<bool> node_alive_;                             // guarded by mu_
  std::vector<bool> node_decom_;                             // guarded by mu_: decommissioning or done
  std::vector<int> node_streams_;                            // guarded by mu_: re-replications per source
  std::unordered_set<uint64_t> needs_check_;                 // guarded by mu_: to classify next round
  std::array<std::set<uint64_t>, kNumPriorities> queues_;    // guarded by mu_: under-replicated by priority
  std::unordered_map<uint64_t, PendingReplication> pending_; // guarded by mu_
  std::unordered_set<uint64_t> corrupt_;                     // guarded by mu_: blocks with a corrupt replica
  size_t live_racks_ = 0;                                    // guarded by mu_: racks of normal live nodes, last round
  std::atomic<uint64_t> safe_total_{0};
  std::atomic<uint64_t> safe_blocks_{0};
};

}  // namespace cairn::namenode
