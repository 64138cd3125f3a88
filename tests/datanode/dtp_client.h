// Test helpers for the datanode: a hand-written DataTransferProtocol client (write
// pipelines, reads, block checksums) and in-process transfer servers on temporary data
// dirs with a recording ReplicaListener instead of a namenode. Header-only (test code).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/block_token.h"
#include "common/checksum.h"
#include "common/clock.h"
#include "common/data_transfer.h"
#include "common/proto_io.h"
#include "datanode/recovery/inter_datanode_server.h"
#include "datanode/store/fs_block_store.h"
#include "datanode/transfer/packet_plan.h"
#include "datanode/transfer/xceiver_server.h"
#include "tests/support/test_util.h"

namespace cairn::datanode::testing {

namespace hh = hadoop::hdfs;

// Polls pred until it holds or timeout_ms passes.
inline bool PollUntil(const std::function<bool()>& pred, int timeout_ms = 10000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int sleep_ms = 1;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    sleep_ms = std::min(sleep_ms * 2, 50);
  }
  return true;
}
// Compares byte strings without printing them: sizes and the first differing offset.
inline ::testing::AssertionResult BytesEqual(const std::string& a, const std::string& b) {
  if (a == b) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return ::testing::AssertionFailure() << "byte strings differ: sizes " << a.size() << " and " << b.size()
                                       << ", first difference at offset " << i;
}
#define EXPECT_BYTES_EQ(a, b) EXPECT_TRUE(::cairn::datanode::testing::BytesEqual((a), (b)))
#define ASSERT_EVENTUALLY_OK(pred) ASSERT_TRUE(::cairn::datanode::testing::PollUntil(pred)) << #pred
using Stage = hh::OpWriteBlockProto;

// Records what the store reports.
class RecordingListener : public ReplicaListener {
 public:
  struct Event {
    char kind;  // 'I' receiving, 'R' received, 'D' deleted, 'V' volume failed, 'C' corrupt
    uint64_t block_id;
    uint64_t gen_stamp;
    uint64_t bytes;
  };
  void OnReceiving(const ReplicaInfo& r) override { Add({'I', r.block_id, r.gen_stamp, r.bytes_acked}); }
  void OnReceived(const ReplicaInfo& r) override { Add({'R', r.block_id, r.gen_stamp, r.bytes_on_disk}); }
  void OnDeleted(const ReplicaInfo& r) override { Add({'D', r.block_id, r.gen_stamp, 0}); }
  void OnVolumeFailed(const std::string&, const std::string&) override { Add({'V', 0, 0, 0}); }
  void OnCorrupt(const ReplicaInfo& r, const std::string&) override { Add({'C', r.block_id, r.gen_stamp, 0}); }
  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  int Count(char kind, uint64_t block_id) const {
    int n = 0;
    for (const auto& e : events()) n += (e.kind == kind && (block_id == 0 || e.block_id == block_id)) ? 1 : 0;
    return n;
  }

 private:
  void Add(Event e) {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

inline std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Appends data to a writer the way the receiver does, in 64 KiB packets.
inline Status WriteAll(ReplicaWriter& w, const std::string& data, bool ack = true) {
  const ChecksumSpec& spec = w.replica().checksum;
  std::vector<uint8_t> buf;
  for (size_t pos = 0; pos < data.size();) {
    uint64_t off = w.bytes_on_disk();
    size_t n = std::min<size_t>(65536, data.size() - pos);
    if (off % spec.bytes_per_checksum) n = std::min<size_t>(n, spec.bytes_per_checksum - off % spec.bytes_per_checksum);
    auto piece = Bytes(data).subspan(pos, n);
    std::vector<uint8_t> sums(spec.ChunkCount(n) * 4);
    ComputeChunkChecksums(spec.type, spec.bytes_per_checksum, piece, sums.data());
    ASSIGN_OR_RETURN(PacketWrite plan, PlanPacketWrite(spec, off, w.last_chunk_crc(), spec, off, piece, sums, &buf));
    RETURN_IF_ERROR(w.StartWrite(plan.offset, plan.data, plan.first_chunk, plan.crcs, plan.last_crc));
    RETURN_IF_ERROR(w.FinishWrite());
    pos += n;
  }
  if (ack) w.SetBytesAcked(w.bytes_on_disk());
  return Status::OK();
}

// A block store, transfer server and inter-datanode server in this process.
struct TestNode {
  std::string dir;
  RecordingListener listener;
  std::unique_ptr<FsBlockStore> store;
  std::unique_ptr<XceiverServer> server;
  std::unique_ptr<InterDatanodeServer> peers;
  BlockKeyRing block_keys;  // checks tokens once keys are adopted (StartNodeOn's `keys`)
  int port() const { return server->port(); }
  int ipc_port() const { return peers->port(); }
  ~TestNode() {
    if (peers) peers->Stop();
    peers.reset();
    if (server) server->Stop();
    server.reset();
    store.reset();
    if (!dir.empty()) cairn::testing::RemoveTree(dir);
  }
};

inline FsBlockStoreOptions StoreOptions(const std::vector<std::string>& dirs, IoEngineKind engine = IoEngineKind::kUring) {
  FsBlockStoreOptions o;
  o.data_dirs = dirs;
  o.io_engine = engine;
  o.writer_stop_timeout_ms = 5000;
  return o;
}

// A node on the given data dirs (the caller owns them), or on fresh temporary ones.
inline Result<std::unique_ptr<TestNode>> StartNodeOn(std::vector<std::string> dirs, int volumes = 1,
                                                     IoEngineKind engine = IoEngineKind::kUring,
                                                     int socket_timeout_ms = 10000,
                                                     const BlockKeysProto* keys = nullptr) {
  auto node = std::make_unique<TestNode>();
  if (dirs.empty()) {
    node->dir = cairn::testing::MakeTempDir("dn");
    for (int i = 0; i < volumes; ++i) dirs.push_back(node->dir + "/vol" + std::to_string(i));
  }
  ASSIGN_OR_RETURN(node->store, FsBlockStore::Open(StoreOptions(dirs, engine), &node->listener));
  XceiverOptions xo;
  xo.port = 0;
  xo.socket_timeout_ms = socket_timeout_ms;
  xo.keepalive_ms = 2000;
  if (keys) node->block_keys.Adopt(*keys);
  ASSIGN_OR_RETURN(node->server, XceiverServer::Start(xo, node->store.get(), {}, keys ? &node->block_keys : nullptr));
  node->peers = std::make_unique<InterDatanodeServer>(*node->store, keys ? &node->block_keys : nullptr, SecuritySettings{});
  RETURN_IF_ERROR(node->peers->Start("127.0.0.1", 0));
  return node;
}

inline Result<std::unique_ptr<TestNode>> StartNode(int volumes = 1, IoEngineKind engine = IoEngineKind::kUring,
                                                   int socket_timeout_ms = 10000) {
  return StartNodeOn({}, volumes, engine, socket_timeout_ms);
}

inline hh::DatanodeInfoProto NodeInfo(int port, int ipc_port = 0) {
  hh::DatanodeInfoProto dn;
  auto* id = dn.mutable_id();
  id->set_ipaddr("127.0.0.1");
  id->set_hostname("localhost");
  id->set_datanodeuuid("uuid-" + std::to_string(port));
  id->set_xferport(static_cast<uint32_t>(port));
  id->set_infoport(0);
  id->set_ipcport(static_cast<uint32_t>(ipc_port));
  return dn;
}


struct WriteOptions {
  ChecksumType type = ChecksumType::kCrc32c;
  uint32_t bytes_per_checksum = 512;
  size_t packet_bytes = 64 * 1024;
  Stage::BlockConstructionStage stage = Stage::PIPELINE_SETUP_CREATE;
  uint64_t gen_stamp = 1000;
  uint64_t new_gen_stamp = 0;      // latestGenerationStamp; 0: gen_stamp
  uint64_t offset = 0;             // block offset of the first byte sent (append: the length)
  uint64_t min_bytes = 0;
  uint64_t max_bytes = 0;
  std::string client_name = "DFSClient_test";
  bool sync_last_data_packet = false;
  hadoop::common::TokenProto token = EmptyBlockToken();
};

struct WriteResult {
  hh::BlockOpResponseProto setup;
  std::vector<hh::PipelineAckProto> acks;
  bool AllAcksSucceeded(int nodes) const {
    for (const auto& a : acks) {
      if (AckReplyCount(a) != nodes) return false;
      for (int i = 0; i < nodes; ++i)
        if (AckReply(a, i) != hh::SUCCESS) return false;
    }
    return !acks.empty();
  }
};

inline hh::OpWriteBlockProto MakeWriteOp(uint64_t block_id, const std::vector<int>& downstream,
                                         const WriteOptions& o) {
  hh::OpWriteBlockProto op;
  auto* b = op.mutable_header()->mutable_baseheader()->mutable_block();
  b->set_poolid("BP-test");
  b->set_blockid(block_id);
  b->set_generationstamp(o.gen_stamp);
  b->set_numbytes(o.offset);
  *op.mutable_header()->mutable_baseheader()->mutable_token() = o.token;
  op.mutable_header()->set_clientname(o.client_name);
  for (int p : downstream) *op.add_targets() = NodeInfo(p);
  op.set_stage(o.stage);
  op.set_pipelinesize(static_cast<uint32_t>(downstream.size() + 1));
  op.set_minbytesrcvd(o.min_bytes);
  op.set_maxbytesrcvd(o.max_bytes);
  op.set_latestgenerationstamp(o.new_gen_stamp ? o.new_gen_stamp : o.gen_stamp);
  op.mutable_requestedchecksum()->set_type(static_cast<hh::ChecksumTypeProto>(o.type));
  op.mutable_requestedchecksum()->set_bytesperchecksum(o.bytes_per_checksum);
  return op;
}

// Sends `data` as packets starting at o.offset: the first packet ends at a chunk boundary
// (as HDFS clients do when appending to a partial chunk), the others carry packet_bytes.
inline Status SendDataPackets(Socket& s, const std::string& data, const WriteOptions& o, int64_t* seqno) {
  uint64_t pos = 0;
  while (pos < data.size()) {
    uint64_t block_off = o.offset + pos;
    uint64_t n = std::min<uint64_t>(o.packet_bytes, data.size() - pos);
    uint64_t in_chunk = block_off % o.bytes_per_checksum;
    if (in_chunk != 0) n = std::min<uint64_t>(n, o.bytes_per_checksum - in_chunk);
    std::vector<uint8_t> sums(ChunkCount(n, o.bytes_per_checksum) * 4);
    ComputeChunkChecksums(o.type, o.bytes_per_checksum, Bytes(data).subspan(pos, n), sums.data());
    hh::PacketHeaderProto h;
    h.set_offsetinblock(static_cast<int64_t>(block_off));
    h.set_seqno((*seqno)++);
    h.set_lastpacketinblock(false);
    h.set_datalen(static_cast<int32_t>(n));
    if (o.sync_last_data_packet && pos + n == data.size()) h.set_syncblock(true);
    RETURN_IF_ERROR(SendPacket(s, h, sums, Bytes(data).subspan(pos, n)));
    pos += n;
  }
  return Status::OK();
}

inline Status SendLastPacket(Socket& s, uint64_t offset, int64_t seqno) {
  hh::PacketHeaderProto h;
  h.set_offsetinblock(static_cast<int64_t>(offset));
  h.set_seqno(seqno);
  h.set_lastpacketinblock(true);
  h.set_datalen(0);
  return SendPacket(s, h, {}, {});
}

// Writes a whole block through the pipeline port -> downstream...
inline Result<WriteResult> WriteBlock(int port, const std::vector<int>& downstream, uint64_t block_id,
                                      const std::string& data, const WriteOptions& o = {}) {
  ASSIGN_OR_RETURN(Socket s, ConnectTcp("127.0.0.1", port, 5000));
  RETURN_IF_ERROR(s.SetTimeouts(20000, 20000));
  BufferedReader in(&s);
  RETURN_IF_ERROR(SendOp(s, DataTransferOp::kWriteBlock, MakeWriteOp(block_id, downstream, o)));
  WriteResult r;
  RETURN_IF_ERROR(ReadBlockOpResponse(in, &r.setup));
  if (r.setup.status() != hh::SUCCESS) return r;
  int64_t seqno = 0;
  RETURN_IF_ERROR(SendDataPackets(s, data, o, &seqno));
  RETURN_IF_ERROR(SendLastPacket(s, o.offset + data.size(), seqno));
  for (int64_t i = 0; i <= seqno; ++i) {
    hh::PipelineAckProto ack;
    Status st = ReadPipelineAck(in, &ack);
    if (!st.ok()) break;
    r.acks.push_back(ack);
    bool failed = false;
    for (int k = 0; k < AckReplyCount(ack); ++k) failed |= AckReply(ack, k) != hh::SUCCESS;
    if (failed) break;
  }
  return r;
}

struct ReadResult {
  hh::BlockOpResponseProto response;
  std::string data;  // exactly [offset, offset + len) when the read succeeded
  int packets = 0;
};

// Reads [offset, offset+len), checking packet offsets, lengths and every chunk's CRC.
inline Result<ReadResult> ReadBlock(int port, uint64_t block_id, uint64_t gen_stamp, uint64_t offset, uint64_t len,
                                    bool send_status = true,
                                    const hadoop::common::TokenProto& token = EmptyBlockToken()) {
  ASSIGN_OR_RETURN(Socket s, ConnectTcp("127.0.0.1", port, 5000));
  RETURN_IF_ERROR(s.SetTimeouts(20000, 20000));
  BufferedReader in(&s);
  hh::OpReadBlockProto op;
  auto* b = op.mutable_header()->mutable_baseheader()->mutable_block();
  b->set_poolid("BP-test");
  b->set_blockid(block_id);
  b->set_generationstamp(gen_stamp);
  *op.mutable_header()->mutable_baseheader()->mutable_token() = token;
  op.mutable_header()->set_clientname("DFSClient_test");
  op.set_offset(offset);
  op.set_len(len);
  RETURN_IF_ERROR(SendOp(s, DataTransferOp::kReadBlock, op));
  ReadResult r;
  RETURN_IF_ERROR(ReadBlockOpResponse(in, &r.response));
  if (r.response.status() != hh::SUCCESS) return r;
  const auto& info = r.response.readopchecksuminfo();
  auto type = static_cast<ChecksumType>(info.checksum().type());
  uint32_t bpc = info.checksum().bytesperchecksum();
  uint64_t pos = info.chunkoffset();
  if (pos > offset || offset - pos >= bpc) return Internal("chunkOffset {} for offset {}", pos, offset);
  std::string all;
  PacketReader pr;
  for (;;) {
    RETURN_IF_ERROR(pr.Next(in));
    const auto& h = pr.header();
    if (static_cast<uint64_t>(h.offsetinblock()) != pos)
      return Internal("packet at {} but {} expected", h.offsetinblock(), pos);
    if (h.lastpacketinblock()) {
      if (!pr.data().empty()) return Internal("last packet carries data");
      break;
    }
    ++r.packets;
    if (pr.data().size() > kDefaultPacketDataBytes) return Internal("packet of {} bytes", pr.data().size());
    if (pr.checksums().size() != ChunkCount(pr.data().size(), bpc) * 4) return Internal("checksum bytes mismatch");
    RETURN_IF_ERROR(VerifyChunkChecksums(type, bpc, pr.data(), pr.checksums().data(), pos));
    all.append(reinterpret_cast<const char*>(pr.data().data()), pr.data().size());
    pos += pr.data().size();
  }
  uint64_t skip = offset - info.chunkoffset();
  if (all.size() < skip + len) return Internal("got {} bytes, need {}", all.size(), skip + len);
  r.data = all.substr(skip, len);
  if (send_status) {
    hh::ClientReadStatusProto st;
    st.set_status(hh::CHECKSUM_OK);
    RETURN_IF_ERROR(s.WriteFully(SerializeDelimited(st)));
  }
  return r;
}

inline Result<hh::BlockOpResponseProto> BlockChecksum(int port, uint64_t block_id, uint64_t gen_stamp,
                                                      uint64_t num_bytes,
                                                      const hadoop::common::TokenProto& token = EmptyBlockToken()) {
  ASSIGN_OR_RETURN(Socket s, ConnectTcp("127.0.0.1", port, 5000));
  RETURN_IF_ERROR(s.SetTimeouts(20000, 20000));
  BufferedReader in(&s);
  hh::OpBlockChecksumProto op;
  auto* b = op.mutable_header()->mutable_block();
  b->set_poolid("BP-test");
  b->set_blockid(block_id);
  b->set_generationstamp(gen_stamp);
  b->set_numbytes(num_bytes);
  *op.mutable_header()->mutable_token() = token;
  RETURN_IF_ERROR(SendOp(s, DataTransferOp::kBlockChecksum, op));
  hh::BlockOpResponseProto r;
  RETURN_IF_ERROR(ReadBlockOpResponse(in, &r));
  return r;
}

}  // namespace cairn::datanode::testing
