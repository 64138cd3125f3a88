// DfsOutputStream: the OutputStream of a file opened by create or append.
//
// Write() copies the caller's bytes once, into the current packet; a full packet gets its
// CRC32C checksums and goes to the block's DataPipeline, which keeps up to the window of
// packets in flight. At a block boundary the stream waits for the acks of the block's
// data, sends the empty last packet, waits for its ack and asks for the next block only
// when more data arrives. Hflush sends the partial packet (the next packet then continues
// mid-chunk), waits for every ack and records the visible length at the namenode (fsync),
// so new readers see the bytes; Hsync does the same with syncBlock set. Close completes
// the file, retrying a false complete() with backoff for options.complete_timeout_ms.
//
// Failures: when a datanode of the pipeline fails (an error ack, a lost connection, a
// failed set-up of the end of a block), the stream rebuilds the pipeline from the
// survivors (pipeline_recovery.h) and resends every unacknowledged packet, up to
// options.pipeline_recovery_attempts times per block; the caller sees nothing of it. Only
// when that fails too is the error reported, and errors are sticky: afterwards the stream
// only reports that error. The stream holds a lease-renewer registration from
// construction until Close (the destructor closes an open stream).
//
// Thread-safety: one thread at a time (the pipeline's responder runs inside).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "client/block_allocator.h"
#include "client/client_context.h"
#include "client/output_stream.h"
#include "client/packet.h"

namespace cairn::client {

class DfsOutputStream : public OutputStream {
 public:
  // A file just created (empty).
  static std::unique_ptr<DfsOutputStream> ForCreate(std::shared_ptr<ClientContext> ctx, WritingFile file,
                                                    uint64_t block_size);
  // A file just opened by append(): `last_block` is the partial last block the namenode
  // returned (continued in place), else the file's full last block if it has one.
  static Result<std::unique_ptr<DfsOutputStream>> ForAppend(std::shared_ptr<ClientContext> ctx, WritingFile file,
                                                            uint64_t block_size, uint64_t length,
                                                            const std::optional<hh::LocatedBlockProto>& last_block);
  ~DfsOutputStream() override;

  Status Write(const void* data, size_t n) override;
  Status Hflush() override;
  Status Hsync() override;
  Status Close() override;
  uint64_t Tell() const override { return pos_; }

 private:
  DfsOutputStream(std::shared_ptr<ClientContext> ctx, WritingFile file, uint64_t block_size);
  Status CheckWritable() const;
  Status Fail(Status st);         // records a first error and returns st
  Status StartPacket();           // opens the next block when needed
  Status SendPacket();            // sends packet_ (checksummed) and clears it
  Status Send(std::unique_ptr<Packet> packet);  // hands a packet to the pipeline, recovering it on failure
  // Rebuilds the failed pipeline and resends its unacknowledged packets; an error when
  // recovery is impossible (the stream has failed then).
  Status Recover(Status cause);
  Status EndBlock();              // last packet, wait for acks, drop the pipeline
  Status WaitForAcks();           // every packet sent is acknowledged (recovering on failure)
  Status Flush(bool sync);        // hflush/hsync body
  Status ReportLength();          // fsync(lastBlockLength) at the namenode
  Status Complete();

  std::shared_ptr<ClientContext> ctx_;
  const WritingFile file_;
  const uint64_t block_size_;
  PacketPool pool_;

  std::optional<hh::ExtendedBlockProto> block_;  // block being written, else the file's last one
  std::unique_ptr<DataPipeline> pipeline_;       // open while a block is being written
  std::unique_ptr<Packet> packet_;               // being filled
  std::vector<hh::DatanodeInfoProto> excluded_;  // nodes that failed a pipeline set-up or a pipeline
  std::vector<hh::DatanodeInfoProto> failed_;    // nodes dropped from this block's pipeline
  int recoveries_ = 0;                           // pipeline recoveries of this block
  bool hflushed_ = false;                        // this block was hflushed or appended to
  uint64_t offset_in_block_ = 0;                 // bytes of block_ written (sent or in packet_)
  int64_t next_seqno_ = 0;
  uint64_t pos_ = 0;                             // bytes in the file, buffered ones included
  Status error_;
  bool closed_ = false;
  Status close_status_;
};

}  // namespace cairn::client
