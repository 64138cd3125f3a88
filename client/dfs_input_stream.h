// DfsInputStream: the InputStream of one file.
//
// Block locations come from getBlockLocations in ranges of options.read_prefetch_blocks
// blocks and are fetched again when a read moves past the cached range. Each block is read
// from one replica: the first location whose address is local to this machine, else the
// first one (the namenode lists the nearest first), skipping replicas that already failed.
// Sequential Read()s keep one BlockReader open to the end of its block; PRead() opens its
// own short-lived readers and leaves the position alone.
//
// Failures: a checksum mismatch is reported to the namenode (reportBadBlocks) and that
// replica is skipped for that block; a connection error or timeout marks the datanode dead
// for this stream; either way the read goes on from the next replica. When every replica
// of a block failed, its locations are fetched again (a few times, with a growing pause:
// the block may have been re-replicated, a node restarted); when that does not help either,
// the error names the block and each node with its reason.
// The file's length is fixed when the stream opens (for a file under construction: up to
// the length the namenode reports).
//
// Thread-safety: Read/Seek/Close from one thread at a time; PRead may run concurrently
// with itself and with Read (mu_ guards the location cache and the failure records).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/block_reader.h"
#include "client/client_context.h"
#include "client/input_stream.h"

namespace cairn::client {

class DfsInputStream : public InputStream {
 public:
  static Result<std::unique_ptr<DfsInputStream>> Open(std::shared_ptr<ClientContext> ctx, std::string path);

  Result<size_t> Read(void* buf, size_t n) override;
  Result<size_t> PRead(uint64_t offset, void* buf, size_t n) override;
  Status Seek(uint64_t offset) override;
  uint64_t Tell() const override { return pos_; }
  uint64_t Length() const override { return length_; }
  Status Close() override;

 private:
  DfsInputStream(std::shared_ptr<ClientContext> ctx, std::string path);
  // (Re)fills the location cache from getBlockLocations(offset, length).
  Result<hh::LocatedBlocksProto> Fetch(uint64_t offset, uint64_t length);
  Result<hh::LocatedBlockProto> BlockAt(uint64_t offset);
  uint64_t BlockLength(const hh::LocatedBlockProto& block) const;
  const hh::LocatedBlockProto* FindCached(uint64_t offset) const;  // caller holds mu_

  // A reader on some healthy replica of *block, or the all-replicas-failed error. When
  // every replica failed, the locations are fetched again (*block is updated) up to
  // options.read_block_acquire_attempts times per read call: *refetches is that call's
  // count, so replicas failing after they opened (mid-stream) cannot make it retry for
  // ever (HDFS counts dfs.client.max.block.acquire.failures per read too).
  Result<std::unique_ptr<BlockReader>> OpenReader(hh::LocatedBlockProto* block, uint64_t offset, uint64_t len,
                                                  int* refetches);
  // Waits (longer for each attempt), refetches the block's locations and forgets nodes
  // that failed with transport errors.
  Status Relocate(hh::LocatedBlockProto* block, int attempt);
  void RecordFailure(const hh::LocatedBlockProto& block, const std::string& node, const Status& st);
  Status AllReplicasFailed(const hh::LocatedBlockProto& block) const;  // caller holds mu_
  Status ReadRange(hh::LocatedBlockProto block, uint64_t offset, uint64_t len, uint8_t* out);
  Status OpenSequentialReader(int* refetches);
  Status CheckOpen() const;

  std::shared_ptr<ClientContext> ctx_;
  const std::string path_;
  BlockReaderOptions reader_options_;
  uint64_t length_ = 0;         // set by Open, then constant
  uint64_t last_block_id_ = 0;  // the block under construction, when there is one
  bool has_open_last_block_ = false;
  uint64_t prefetch_bytes_ = 0;

  mutable std::mutex mu_;
  std::vector<hh::LocatedBlockProto> blocks_;                  // guarded by mu_: cached range, by offset
  std::map<std::string, Status> dead_nodes_;                   // guarded by mu_: node -> why
  std::map<uint64_t, std::map<std::string, Status>> bad_replicas_;  // guarded by mu_: block id -> node -> why

  // Sequential reading (the Read/Seek thread only).
  uint64_t pos_ = 0;
  std::unique_ptr<BlockReader> reader_;  // positioned at pos_ when set
  hh::LocatedBlockProto reader_block_;
  bool closed_ = false;
};

}  // namespace cairn::client
