// Getting a write pipeline for the next block of a file being written.
//
// AllocateBlock asks the namenode for a new block (addBlock, committing `previous` with its
// final length) and sets up the pipeline to the datanodes it chose; when set-up fails it
// abandons that block and asks again excluding the node at fault (the reply's firstBadLink,
// else the first node), up to options.write_block_attempts times. Excluded nodes are added
// to *excluded, which the stream keeps for its later blocks (as HDFS's excludedNodes).
// ReopenForAppend continues the partial last block of a file opened by append: a new
// generation stamp from updateBlockForPipeline, OP_WRITE_BLOCK stage PIPELINE_SETUP_APPEND
// to the block's replicas, then updatePipeline to record it.
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
};

struct OpenBlock {
  hh::ExtendedBlockProto block;  // as the namenode now knows it (new generation stamp after append)
  std::unique_ptr<DataPipeline> pipeline;
};

Result<OpenBlock> AllocateBlock(ClientContext& ctx, const WritingFile& file, const hh::ExtendedBlockProto* previous,
                                std::vector<hh::DatanodeInfoProto>* excluded, PacketPool* pool);

Result<OpenBlock> ReopenForAppend(ClientContext& ctx, const WritingFile& file, const hh::LocatedBlockProto& last,
                                  PacketPool* pool);

}  // namespace cairn::client
