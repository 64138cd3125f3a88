// Write-pipeline recovery (HDFS's DataStreamer.setupPipelineForAppendOrRecovery): when a
// datanode of the pipeline of the block being written fails, the client rebuilds the
// pipeline from the survivors and carries on, so that a write survives the loss of all
// but one of its datanodes and every byte acknowledged before the fault stays in the file.
//
//  1. The failed node (the one an ack named, else the first) leaves the pipeline and joins
//     the block's failed list, which later requests exclude.
//  2. When the policy asks for it (ClientOptions::replace_datanode_on_failure), the
//     namenode picks a replacement (getAdditionalDatanode) and a survivor copies its
//     replica of the partial block to it (OP_TRANSFER_BLOCK, stage TRANSFER_RBW). No
//     replacement found: the write goes on with the survivors (best effort) unless the
//     options say otherwise.
//  3. updateBlockForPipeline gives a new generation stamp; the new pipeline is set up with
//     stage PIPELINE_SETUP_STREAMING_RECOVERY (PIPELINE_CLOSE_RECOVERY when only the
//     end-of-block packet was unacknowledged, PIPELINE_SETUP_APPEND / _APPEND_RECOVERY
//     when continuing a block after append), min bytes = bytes acknowledged, max bytes =
//     bytes sent: each datanode cuts its replica to what was acknowledged to it and moves it
//     to the new stamp, so replicas left on the failed node (old stamp) become stale and are
//     deleted when that node reports them.
//  4. A node that fails the set-up leaves too and the steps repeat; once up, updatePipeline
//     records the new stamp, length and nodes at the namenode. The caller then resends
//     every unacknowledged packet, in order, on the new pipeline.
//
// Thread-safety: called by the output stream's writer thread.
#pragma once

#include <cstdint>
#include <vector>

#include "client/block_allocator.h"

namespace cairn::client {

enum class ReplaceDatanodePolicy { kNever, kDefault, kAlways };
// "never" | "default" | "always"; kInvalidArgument otherwise.
Result<ReplaceDatanodePolicy> ParseReplaceDatanodePolicy(std::string_view text);
// Whether a pipeline of `remaining` nodes, for a file of `replication`, gets a replacement:
// never; HDFS's DEFAULT (replication >= 3 and either at most half the nodes are left or
// the block was hflushed or appended to); or whenever a node is missing.
bool ShouldReplaceDatanode(ReplaceDatanodePolicy policy, uint32_t replication, size_t remaining,
                           bool hflushed_or_appended);

struct RecoveryRequest {
  enum class Kind { kStreaming, kClose, kAppend };
  Kind kind = Kind::kStreaming;
  hh::ExtendedBlockProto block;               // id and the stamp the namenode knows
  std::vector<hh::DatanodeInfoProto> nodes;   // the pipeline that failed, in order
  int bad_node = -1;                          // position of the node to drop; -1: none (append)
  uint64_t bytes_acked = 0;                   // acknowledged by every node
  uint64_t bytes_sent = 0;                    // sent, acknowledged or not
  bool hflushed_or_appended = false;          // for the DEFAULT replacement policy
  uint32_t replication = 0;                   // the file's
};

// Steps 1-4 of the header. *failed collects the nodes dropped (and is passed as excluded to
// the namenode); the returned block carries the new stamp and numBytes = bytes_acked.
Result<OpenBlock> RecoverPipeline(ClientContext& ctx, const WritingFile& file, const RecoveryRequest& request,
                                  std::vector<hh::DatanodeInfoProto>* failed, PacketPool* pool);

}  // namespace cairn::client
