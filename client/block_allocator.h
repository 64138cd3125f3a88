// Getting a write pipeline for the next block of a file being written.
//
// AllocateBlock asks the namenode for a new block (addBlock, committing `previous` with its
// final length) and sets up the pipeline to the datanodes it chose; when set-up fails it
// abandons that block and asks again excluding the node at fault (the reply's firstBadLink,
// else the first node), up to options.write_block_attempts times. Excluded nodes are added
// to *excluded, which the stream keeps for its later blocks (as HDFS's excludedNodes).
// ReopenForAppend continues the partial last block of a file opened by append: a new
// generation stamp from updateBlockForPipeline, OP_WRITE_BLOCK stage PIPELINE_SETUP_APPEND
// to the block's replicas, then updatePipeline to record it; a replica holder that fails
// the set-up is dropped and the rest retried with PIPELINE_SETUP_APPEND_RECOVERY (the
// machinery of pipeline_recovery.h).
//
// Thread-safety: called by the stream's writer thread; uses only thread-safe context parts.
#pragma once

#include <memory>
#include <string>

#include "client/client_context.h"
#include "client/data_pipeline.h"

namespace cairn::client {

struct WritingFile {
  std::string path;
  uint64_t file_id = 0;
  uint32_t replication = 0;  // the file's replication factor
};

struct OpenBlock {
  hh::ExtendedBlockProto block;  // as the namenode now knows it (new generation stamp after append)
  std::unique_ptr<DataPipeline> pipeline;
};

Result<OpenBlock> AllocateBlock(ClientContext& ctx, const WritingFile& file, const hh::ExtendedBlockProto* previous,
                                std::vector<hh::DatanodeInfoProto>* excluded, PacketPool* pool);

// *failed collects replica holders that failed the set-up.
Result<OpenBlock> ReopenForAppend(ClientContext& ctx, const WritingFile& file, const hh::LocatedBlockProto& last,
                                  std::vector<hh::DatanodeInfoProto>* failed, PacketPool* pool);

// The pipeline settings the client options give, for `block` through `nodes` (stage
// PIPELINE_SETUP_CREATE; callers change the stage and byte counts for other stages).
PipelineSetup PipelineSetupFor(const ClientContext& ctx, const hh::ExtendedBlockProto& block,
                               const hadoop::common::TokenProto& token, const std::vector<hh::DatanodeInfoProto>& nodes);

}  // namespace cairn::client
