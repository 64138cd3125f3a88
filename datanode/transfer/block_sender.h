// BlockSender: streams a range of a replica as DataTransferProtocol packets, for
// OP_READ_BLOCK and for transfers to other datanodes. Reads start at the chunk boundary at
// or before the requested offset and end at a chunk boundary (or the replica's visible
// end); each packet carries up to 64 KiB of whole chunks with their stored CRCs, and an
// empty lastPacketInBlock packet ends the stream, as HDFS's BlockSender does.
//
// Chunk runs of up to 512 KiB are read with the IoEngine into one of two halves of a 1 MiB
// buffer while the other half is being sent (sendmsg of header, CRCs and data straight
// from that buffer). For an RBW replica the CRC of a partial last chunk is recomputed from
// the data read, since the stored one may already cover bytes written after the ack.
//
// With verify_checksums (transfers to other datanodes) every chunk is checked against its
// stored CRC before it goes out, and a mismatch ends the send with kChecksumMismatch: a
// damaged replica is never copied.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/socket.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

class BlockSender {
 public:
  // kInvalidArgument when [offset, offset+length) is not inside the visible replica.
  static Result<BlockSender> Create(ReplicaReader* reader, uint64_t offset, uint64_t length, bool send_checksums,
                                    bool verify_checksums = false);

  uint64_t chunk_offset() const { return start_; }
  uint64_t end_offset() const { return end_; }
  bool send_checksums() const { return send_checksums_; }
  const ChecksumSpec& checksum() const { return reader_->replica().checksum; }

  // Sends every packet and the final empty one. before_first_packet, when given, runs once
  // the first data has been read from disk and before anything is sent, so a disk error
  // on the first read can still be answered with an error response (and its reason)
  // instead of a connection closed mid-stream; an error it returns ends the send.
  Status SendPackets(Socket& out, const std::function<Status()>& before_first_packet = {});

 private:
  BlockSender(ReplicaReader* reader, uint64_t start, uint64_t end, bool send_checksums, bool verify_checksums)
      : reader_(reader), start_(start), end_(end), send_checksums_(send_checksums), verify_(verify_checksums) {}
  struct Buffers;
  Status Start(Buffers& buffers, int slot, uint64_t from, uint64_t to);

  ReplicaReader* reader_;
  uint64_t start_;
  uint64_t end_;
  bool send_checksums_;
  bool verify_;
};

}  // namespace cairn::datanode
