// PacketResponder: the ack thread of one write pipeline connection. The receiving thread
// enqueues one item per packet (in order) once the packet is on disk, or an error item; the
// responder waits for the mirror's ack of the same seqno (when there is a mirror), then sends
// upstream a PipelineAckProto with this node's status followed by the downstream replies,
// and records the acknowledged length as the replica's readable length. It stops after the
// last packet, after any error (which it reports in the ack: ERROR for the mirror's position
// when the mirror fails), or when the upstream socket fails.
//
// Thread-safety: Enqueue and Finish from the receiving thread; the rest runs on its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "common/bounded_queue.h"
#include "common/socket.h"
#include "datanode/store/block_store.h"
#include "hadoop/datatransfer.pb.h"

namespace cairn::datanode {

struct AckItem {
  int64_t seqno = 0;
  bool last = false;                       // lastPacketInBlock
  uint64_t end_offset = 0;                 // block offset after this packet's data
  hadoop::hdfs::Status status = hadoop::hdfs::SUCCESS;  // this node's verdict on the packet
  std::string error;                       // why, when it is not SUCCESS
};

class PacketResponder {
 public:
  // mirror/mirror_in may be null (last node of the pipeline); writer may be null (close
  // recovery of an already finalized replica). All must outlive Finish().
  PacketResponder(Socket* upstream, Socket* mirror, BufferedReader* mirror_in, ReplicaWriter* writer,
                  std::string mirror_address, size_t queue_capacity);
  ~PacketResponder();

  void Start();
  // Blocks while the queue is full (backpressure on the receiver); false once the
  // responder has stopped, when the receiver should stop too.
  bool Enqueue(const AckItem& item);
  // Lets the thread drain what is queued, then joins it.
  void Finish();
  bool failed() const { return failed_.load(); }

 private:
  void Run();
  bool HandleItem(const AckItem& item);

  Socket* const upstream_;
  Socket* const mirror_;
  BufferedReader* const mirror_in_;
  ReplicaWriter* const writer_;
  const std::string mirror_address_;
  BoundedQueue<AckItem> queue_;
  std::thread thread_;
  std::atomic<bool> failed_{false};
};

}  // namespace cairn::datanode
