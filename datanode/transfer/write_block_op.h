// WriteBlockOp: one OP_WRITE_BLOCK on a transfer connection, as HDFS's DataXceiver
// .writeBlock and BlockReceiver do it.
//
//  - Opens the replica for the stage: PIPELINE_SETUP_CREATE (new RBW), PIPELINE_SETUP_APPEND,
//    the three recoveries, or a temporary replica for TRANSFER_RBW / TRANSFER_FINALIZED and
//    for writes from another datanode (empty client name: namenode-ordered replication).
//  - Connects the mirror (targets[0]) and sends it the same op for targets[1..].
//  - Client pipelines (client name set, not a transfer) get the setup reply (status and
//    firstBadLink, always set) and per-packet acks from a PacketResponder; transfers get no
//    setup reply or acks, and a final reply when a client asked for the transfer.
//  - Packets are forwarded raw to the mirror first, then verified (every node verifies),
//    then written while the next packet is received (two packet buffers). The last packet
//    finalizes the replica before its ack goes upstream.
// Any failure aborts the replica (an RBW replica stays for recovery; a temporary one is
// deleted) and drops the connection; a finalized replica is never left half-written.
//
// Thread-safety: runs on the connection's thread, plus the responder's thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/data_transfer.h"
#include "datanode/transfer/packet_responder.h"
#include "datanode/transfer/xceiver_context.h"

namespace cairn::datanode {

class WriteBlockOp {
 public:
  WriteBlockOp(const XceiverContext& ctx, Socket& upstream, BufferedReader& in, hadoop::hdfs::OpWriteBlockProto op);
  ~WriteBlockOp();

  // An error means the connection must be dropped.
  Status Run();

 private:
  struct Pending {
    AckItem ack;
    bool sync = false;
  };

  Status OpenReplica();
  Status ConnectMirror(hadoop::hdfs::Status* mirror_status, std::string* first_bad_link);
  Status SendReply(hadoop::hdfs::Status status, const std::string& first_bad_link, const std::string& message);
  Status ReceivePackets();
  Status HandlePacket(int slot, bool* done);
  // Finishes the write in flight, syncs or completes the replica when its packet asked
  // for it, and queues the packet's ack.
  Status FlushPending();
  Status CompleteReplica();
  // Queues an error ack for packet seqno, with why it failed (the ack carries the reason upstream).
  void EnqueueError(int64_t seqno, const Status& why);
  bool MoreInputReady() const;
  Status SendTransferResult(const Status& local);

  const XceiverContext& ctx_;
  Socket& upstream_;
  BufferedReader& in_;
  const hadoop::hdfs::OpWriteBlockProto op_;
  const std::string block_name_;
  const bool is_client_;    // a client name was given
  const bool is_transfer_;  // TRANSFER_RBW or TRANSFER_FINALIZED
  ChecksumSpec client_checksum_;

  std::unique_ptr<ReplicaWriter> writer_;  // null after close recovery (replica already final)
  uint64_t closed_length_ = 0;             // close recovery: the replica's length

  Socket mirror_;
  std::unique_ptr<BufferedReader> mirror_in_;
  std::string mirror_address_;
  bool mirror_ok_ = false;                 // packets still go to the mirror

  std::unique_ptr<PacketResponder> responder_;
  PacketReader packets_[2];                // one being received while the other is written
  std::vector<uint8_t> crc_bufs_[2];
  std::optional<Pending> pending_;         // packet whose write is in flight
};

}  // namespace cairn::datanode
