// DataPipeline: the client end of one block's HDFS write pipeline.
//
// Open() connects to the first datanode, sends OP_WRITE_BLOCK naming the others as
// targets and reads the setup reply. Then the writer thread Send()s packets (at most
// `window` unacknowledged; Send blocks beyond that) while a responder thread reads one
// PipelineAckProto per packet, checks that every node replied SUCCESS and hands the
// acknowledged packet back to the PacketPool. The last packet of a block (empty,
// lastPacketInBlock) ends the responder. When the writer goes quiet for half the socket
// timeout the responder sends an HDFS heartbeat packet (seqno -1) so datanodes keep the
// pipeline open.
//
// Any failure (setup refused, a node acking with an error, a lost connection) is sticky
// and names the datanode at fault (bad_node(): the position an ack marked, else the first
// node); every packet handed to Send that was not acknowledged stays queued in order, and
// TakeUnacked() hands them back so that pipeline recovery can resend them on a rebuilt
// pipeline (see pipeline_recovery.h).
//
// Thread-safety: Send/WaitForAcks/Close are called by the one writer thread; the
// responder runs inside. Destroying an open pipeline aborts it.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/packet.h"
#include "common/block_token.h"
#include "common/socket.h"
#include "common/status.h"
#include "hadoop/datatransfer.pb.h"

namespace cairn::client {

namespace hh = hadoop::hdfs;

struct PipelineSetup {
  hh::ExtendedBlockProto block;               // as named in the op header
  hadoop::common::TokenProto token = EmptyBlockToken();  // the block access token for writing
  std::vector<hh::DatanodeInfoProto> nodes;   // pipeline order; the client talks to nodes[0]
  hh::OpWriteBlockProto::BlockConstructionStage stage = hh::OpWriteBlockProto::PIPELINE_SETUP_CREATE;
  uint64_t latest_gen_stamp = 0;
  uint64_t min_bytes_rcvd = 0;
  uint64_t max_bytes_rcvd = 0;
  std::string client_name;
  int socket_timeout_ms = 60000;
  int socket_buffer_bytes = 0;  // 0: kernel default
  uint32_t window_packets = 80;
};
// Bytes of the block acknowledged before this pipeline started: min_bytes_rcvd for the
// recovery and append stages, 0 for a new block.

class DataPipeline {
 public:
  // On failure *bad_node is the address ("ip:port") of the node to exclude next time.
  static Result<std::unique_ptr<DataPipeline>> Open(const PipelineSetup& setup, PacketPool* pool,
                                                    std::string* bad_node);
  ~DataPipeline();
  DataPipeline(const DataPipeline&) = delete;
  DataPipeline& operator=(const DataPipeline&) = delete;

  // Sends one packet (checksums already computed); blocks while the window is full. After
  // a failure the packet is only queued (for TakeUnacked) and the error returned.
  Status Send(std::unique_ptr<Packet> packet);
  // Waits until every packet sent so far is acknowledged by every node.
  Status WaitForAcks();
  // After the last packet was sent: waits for its ack and shuts the pipeline down.
  Status Close();

  // The first error seen, OK while healthy.
  Status error() const;
  const std::vector<hh::DatanodeInfoProto>& nodes() const { return setup_.nodes; }
  const PipelineSetup& setup() const { return setup_; }
  // After an error: the pipeline position of the node at fault (0 when no ack named one).
  int bad_node() const;
  // Block bytes every node has acknowledged (including those before this pipeline).
  uint64_t bytes_acked() const;
  // Stops the pipeline (if it still runs) and returns the packets sent or queued but never
  // acknowledged, oldest first; heartbeats are dropped.
  std::deque<std::unique_ptr<Packet>> TakeUnacked();

 private:
  DataPipeline(PipelineSetup setup, PacketPool* pool, Socket socket);
  Status SendLocked(Packet* packet);  // caller holds send_mu_
  void SetError(Status st);
  void RunResponder();
  // *bad is the pipeline position of the node an ack names as failed.
  Status CheckAck(const hh::PipelineAckProto& ack, const Packet& expected, int* bad) const;
  void SendHeartbeat();
  void Shutdown();

  const PipelineSetup setup_;
  const std::string block_name_;
  PacketPool* const pool_;
  Socket socket_;
  BufferedReader in_;  // read by Open, then only by the responder

  std::mutex send_mu_;  // serialises socket writes and their order in acks_ (writer vs heartbeat)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Packet>> acks_;  // guarded by mu_: sent, not yet acknowledged
  Status error_;                              // guarded by mu_
  int bad_node_ = 0;                          // guarded by mu_: meaningful once error_ is set
  uint64_t bytes_acked_ = 0;                  // guarded by mu_
  bool closing_ = false;                      // guarded by mu_: no more packets will come
  bool done_ = false;                         // guarded by mu_: the responder has exited
  int64_t last_send_ms_ = 0;                  // guarded by mu_
  std::thread responder_;
};

}  // namespace cairn::client
