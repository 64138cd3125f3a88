// The DataTransferProtocol server against a hand-written client: pipelines of in-process
// servers, reads, appends, block checksums, checksum types, transfers and bad input.
#include <openssl/evp.h>
#include <sys/mount.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/endian.h"
#include "datanode/transfer/transfer.h"
#include "tests/datanode/dtp_client.h"

namespace cairn::datanode {
namespace {

using cairn::testing::RandomBytes;
using namespace testing;  // NOLINT: the test helpers

std::string Md5Of(const std::vector<uint8_t>& bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::vector<uint8_t> ChunkCrcs(const std::string& data, ChecksumType type = ChecksumType::kCrc32c, uint32_t bpc = 512) {
  std::vector<uint8_t> out(ChunkCount(data.size(), bpc) * 4);
  ComputeChunkChecksums(type, bpc, Bytes(data), out.data());
  return out;
}

class XceiverTest : public ::testing::Test {
 protected:
  void StartNodes(int n) {
    for (int i = 0; i < n; ++i) {
      auto node = StartNode();
      ASSERT_TRUE(node.ok()) << node.status().ToString();
      nodes_.push_back(std::move(node).value());
    }
  }
  bool IsFinalized(int node, uint64_t id) {
    auto r = nodes_[node]->store->GetReplica(id);
    return r.ok() && r->state == ReplicaState::kFinalized;
  }
  // With one connection open on `server`, a second gets an ERROR reply whose message holds
  // `reason`; once the first closes, none is left open.
  void ExpectASecondConnectionRefused(XceiverServer& server, const std::string& reason) {
    auto first = ConnectTcp("127.0.0.1", server.port(), 5000);
    ASSERT_TRUE(first.ok());
    ASSERT_EVENTUALLY_OK([&] { return server.active() == 1; });
    auto second = ConnectTcp("127.0.0.1", server.port(), 5000);
    ASSERT_TRUE(second.ok());
    BufferedReader in(&*second);
    hh::BlockOpResponseProto reply;
    ASSERT_TRUE(ReadBlockOpResponse(in, &reply).ok());
    EXPECT_EQ(reply.status(), hh::ERROR);
    EXPECT_NE(reply.message().find(reason), std::string::npos) << reply.message();
    first->Close();
    ASSERT_EVENTUALLY_OK([&] { return server.active() == 0; });
  }
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

TEST_F(XceiverTest, PipelineOfThreeWritesEveryReplica) {
  StartNodes(3);
  std::string data = RandomBytes(1000003, 1);
  auto w = WriteBlock(nodes_[0]->port(), {nodes_[1]->port(), nodes_[2]->port()}, 1001, data);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->setup.status(), hh::SUCCESS);
  EXPECT_TRUE(w->setup.has_firstbadlink());
  EXPECT_EQ(w->setup.firstbadlink(), "");
  EXPECT_EQ(w->acks.size(), ChunkCount(data.size(), 65536) + 1);
  EXPECT_TRUE(w->AllAcksSucceeded(3));
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(IsFinalized(i, 1001));
    auto r = ReadBlock(nodes_[i]->port(), 1001, 1000, 0, data.size());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->response.status(), hh::SUCCESS);
    EXPECT_BYTES_EQ(r->data, data);
    EXPECT_EQ(nodes_[i]->listener.Count('I', 1001), 1);
    EXPECT_EQ(nodes_[i]->listener.Count('R', 1001), 1);
  }
}

TEST_F(XceiverTest, ReadsWithOddOffsetsAndLengths) {
  StartNodes(1);
  std::string data = RandomBytes(200000 + 77, 2);
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {}, 7, data)->AllAcksSucceeded(1));
  const uint64_t n = data.size();
  std::vector<std::pair<uint64_t, uint64_t>> ranges = {
      {0, 1}, {1, 511}, {511, 2}, {512, 512}, {1000, 70000}, {n - 1, 1}, {n, 0}, {0, n}, {65535, 65537}, {n - 600, 600}};
  for (auto [off, len] : ranges) {
    SCOPED_TRACE(fmt::format("offset {} length {}", off, len));
    auto r = ReadBlock(nodes_[0]->port(), 7, 1000, off, len);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->response.status(), hh::SUCCESS) << r->response.message();
    EXPECT_EQ(r->response.readopchecksuminfo().chunkoffset(), off / 512 * 512);
    EXPECT_BYTES_EQ(r->data, data.substr(off, len));
  }
  auto bad = ReadBlock(nodes_[0]->port(), 7, 1000, 10, n);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->response.status(), hh::ERROR_INVALID);
  auto missing = ReadBlock(nodes_[0]->port(), 8, 1000, 0, 1);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->response.status(), hh::ERROR);
  EXPECT_NE(missing->response.message().find("Replica not found"), std::string::npos) << missing->response.message();
  auto newer = ReadBlock(nodes_[0]->port(), 7, 1001, 0, 1);
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->response.status(), hh::ERROR);
}

TEST_F(XceiverTest, SeveralOpsOnOneConnection) {
  StartNodes(1);
  std::string data = RandomBytes(5000, 3);
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {}, 9, data)->AllAcksSucceeded(1));
  auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
  ASSERT_TRUE(s.ok());
  BufferedReader in(&*s);
  for (int round = 0; round < 3; ++round) {
    hh::OpReadBlockProto op;
    auto* b = op.mutable_header()->mutable_baseheader()->mutable_block();
    b->set_poolid("BP-test");
    b->set_blockid(9);
    b->set_generationstamp(1000);
    op.mutable_header()->set_clientname("c");
    op.set_offset(100 * round);
    op.set_len(1000);
    ASSERT_TRUE(SendOp(*s, DataTransferOp::kReadBlock, op).ok());
    hh::BlockOpResponseProto resp;
    ASSERT_TRUE(ReadBlockOpResponse(in, &resp).ok());
    ASSERT_EQ(resp.status(), hh::SUCCESS);
    PacketReader pr;
    std::string got;
    do {
      ASSERT_TRUE(pr.Next(in).ok());
      got.append(reinterpret_cast<const char*>(pr.data().data()), pr.data().size());
    } while (!pr.header().lastpacketinblock());
    // Chunk-aligned: from chunk 0 to the chunk boundary after offset + 1000.
    EXPECT_EQ(got.size(), (100 * round + 1000 + 511) / 512 * 512);
    EXPECT_BYTES_EQ(got, data.substr(0, got.size()));
    // Round 1 skips the ClientReadStatusProto and goes straight to the next op.
    if (round != 1) {
      hh::ClientReadStatusProto st;
      st.set_status(hh::SUCCESS);
      ASSERT_TRUE(s->WriteFully(SerializeDelimited(st)).ok());
    }
  }
}

TEST_F(XceiverTest, AppendToPartialChunkThroughPipeline) {
  StartNodes(2);
  std::string a = RandomBytes(1000, 4), b = RandomBytes(150000, 5);
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {nodes_[1]->port()}, 11, a)->AllAcksSucceeded(2));
  WriteOptions o;
  o.stage = Stage::PIPELINE_SETUP_APPEND;
  o.gen_stamp = 1000;
  o.new_gen_stamp = 1001;
  o.offset = 1000;
  o.min_bytes = 1000;
  o.max_bytes = 1000;
  auto w = WriteBlock(nodes_[0]->port(), {nodes_[1]->port()}, 11, b, o);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->setup.status(), hh::SUCCESS) << w->setup.message();
  EXPECT_TRUE(w->AllAcksSucceeded(2));
  for (int i = 0; i < 2; ++i) {
    auto r = ReadBlock(nodes_[i]->port(), 11, 1001, 0, a.size() + b.size());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->response.status(), hh::SUCCESS);
    EXPECT_BYTES_EQ(r->data, a + b);
    EXPECT_EQ(nodes_[i]->store->GetReplica(11)->gen_stamp, 1001u);
  }
  auto c0 = BlockChecksum(nodes_[0]->port(), 11, 1001, a.size() + b.size());
  auto c1 = BlockChecksum(nodes_[1]->port(), 11, 1001, a.size() + b.size());
  ASSERT_TRUE(c0.ok() && c1.ok());
  EXPECT_EQ(c0->checksumresponse().blockchecksum(), Md5Of(ChunkCrcs(a + b)));
  EXPECT_EQ(c1->checksumresponse().blockchecksum(), c0->checksumresponse().blockchecksum());
  // Appending with a stale length is refused with an error reply.
  o.gen_stamp = 1001;
  o.new_gen_stamp = 1002;
  o.min_bytes = 5;
  auto stale = WriteBlock(nodes_[0]->port(), {}, 11, "x", o);
  ASSERT_TRUE(stale.ok());
  EXPECT_NE(stale->setup.status(), hh::SUCCESS);
}

TEST_F(XceiverTest, BlockChecksumIsEqualAcrossReplicas) {
  StartNodes(3);
  std::string data = RandomBytes(300000 + 5, 6);
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {nodes_[1]->port(), nodes_[2]->port()}, 13, data)->AllAcksSucceeded(3));
  std::string first;
  for (int i = 0; i < 3; ++i) {
    auto c = BlockChecksum(nodes_[i]->port(), 13, 1000, data.size());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_EQ(c->status(), hh::SUCCESS) << c->message();
    const auto& r = c->checksumresponse();
    EXPECT_EQ(r.bytespercrc(), 512u);
    EXPECT_EQ(r.crcperblock(), ChunkCount(data.size(), 512));
    EXPECT_EQ(r.crctype(), hh::CHECKSUM_CRC32C);
    EXPECT_EQ(r.blockchecksum().size(), 16u);
    if (i == 0) first = r.blockchecksum();
    EXPECT_EQ(r.blockchecksum(), first);
  }
  EXPECT_EQ(first, Md5Of(ChunkCrcs(data)));
  // A prefix of the block: full chunks' stored CRCs plus the CRC of the partial tail.
  auto part = BlockChecksum(nodes_[1]->port(), 13, 1000, 1000);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->checksumresponse().blockchecksum(), Md5Of(ChunkCrcs(data.substr(0, 1000))));
  auto missing = BlockChecksum(nodes_[1]->port(), 14, 1000, 10);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status(), hh::ERROR);
}

TEST_F(XceiverTest, Crc32AndOtherChunkSizes) {
  StartNodes(2);
  std::string data = RandomBytes(70000, 7);
  WriteOptions o;
  o.type = ChecksumType::kCrc32;
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {nodes_[1]->port()}, 15, data, o)->AllAcksSucceeded(2));
  auto r = ReadBlock(nodes_[1]->port(), 15, 1000, 3, data.size() - 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->response.readopchecksuminfo().checksum().type(), hh::CHECKSUM_CRC32);
  EXPECT_BYTES_EQ(r->data, data.substr(3));
  auto c = BlockChecksum(nodes_[0]->port(), 15, 1000, data.size());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->checksumresponse().crctype(), hh::CHECKSUM_CRC32);
  EXPECT_EQ(c->checksumresponse().blockchecksum(), Md5Of(ChunkCrcs(data, ChecksumType::kCrc32)));

  o.type = ChecksumType::kCrc32c;
  o.bytes_per_checksum = 1024;
  o.packet_bytes = 63 * 1024;
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {}, 16, data, o)->AllAcksSucceeded(1));
  auto r2 = ReadBlock(nodes_[0]->port(), 16, 1000, 1500, 3000);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->response.readopchecksuminfo().checksum().bytesperchecksum(), 1024u);
  EXPECT_EQ(r2->response.readopchecksuminfo().chunkoffset(), 1024u);
  EXPECT_BYTES_EQ(r2->data, data.substr(1500, 3000));
}

TEST_F(XceiverTest, HflushHeartbeatAndReadingWhileWriting) {
  StartNodes(2);
  auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->SetTimeouts(10000, 10000).ok());
  BufferedReader in(&*s);
  WriteOptions o;
  ASSERT_TRUE(SendOp(*s, DataTransferOp::kWriteBlock, MakeWriteOp(17, {nodes_[1]->port()}, o)).ok());
  hh::BlockOpResponseProto setup;
  ASSERT_TRUE(ReadBlockOpResponse(in, &setup).ok());
  ASSERT_EQ(setup.status(), hh::SUCCESS);

  std::string part1 = RandomBytes(700, 8);
  int64_t seqno = 0;
  o.sync_last_data_packet = true;  // hsync: synced before the ack
  ASSERT_TRUE(SendDataPackets(*s, part1, o, &seqno).ok());
  hh::PipelineAckProto ack;
  ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
  EXPECT_EQ(ack.seqno(), 0);
  ASSERT_EQ(AckReplyCount(ack), 2);
  // Once acknowledged, the bytes are readable on every node, partial chunk included.
  for (int i = 0; i < 2; ++i) {
    auto r = ReadBlock(nodes_[i]->port(), 17, 1000, 0, 700);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->response.status(), hh::SUCCESS) << r->response.message();
    EXPECT_BYTES_EQ(r->data, part1);
  }
  // A heartbeat packet is acknowledged with its seqno.
  hh::PacketHeaderProto hb;
  hb.set_offsetinblock(0);
  hb.set_seqno(-1);
  hb.set_lastpacketinblock(false);
  hb.set_datalen(0);
  ASSERT_TRUE(SendPacket(*s, hb, {}, {}).ok());
  ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
  EXPECT_EQ(ack.seqno(), -1);
  EXPECT_EQ(AckReply(ack, 1), hh::SUCCESS);
  // Like HDFS clients after hflush, resend the partial chunk from its start with more data.
  std::string part2 = RandomBytes(1000, 9);
  std::string resend = part1.substr(512) + part2;
  o.offset = 512;
  o.sync_last_data_packet = false;
  ASSERT_TRUE(SendDataPackets(*s, resend, o, &seqno).ok());
  ASSERT_TRUE(SendLastPacket(*s, 1700, seqno).ok());
  for (int64_t i = 1; i <= seqno; ++i) {
    ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
    EXPECT_EQ(ack.seqno(), i);
    EXPECT_EQ(AckReply(ack, 0), hh::SUCCESS);
    EXPECT_EQ(AckReply(ack, 1), hh::SUCCESS);
  }
  for (int i = 0; i < 2; ++i) {
    auto r = ReadBlock(nodes_[i]->port(), 17, 1000, 0, 1700);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_BYTES_EQ(r->data, part1 + part2);
    EXPECT_TRUE(IsFinalized(i, 17));
  }
}

TEST_F(XceiverTest, StreamingRecoveryContinuesAtAckedLength) {
  StartNodes(1);
  std::string a = RandomBytes(200000, 10), b = RandomBytes(50000, 11);
  {
    auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
    ASSERT_TRUE(s.ok());
    BufferedReader in(&*s);
    WriteOptions o;
    ASSERT_TRUE(SendOp(*s, DataTransferOp::kWriteBlock, MakeWriteOp(19, {}, o)).ok());
    hh::BlockOpResponseProto setup;
    ASSERT_TRUE(ReadBlockOpResponse(in, &setup).ok());
    int64_t seqno = 0;
    ASSERT_TRUE(SendDataPackets(*s, a, o, &seqno).ok());
    for (int64_t i = 0; i < seqno; ++i) {
      hh::PipelineAckProto ack;
      ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
    }
  }  // the client dies before the last packet
  ASSERT_EVENTUALLY_OK([&] { return nodes_[0]->store->GetReplica(19)->bytes_acked == a.size(); });
  WriteOptions o;
  o.stage = Stage::PIPELINE_SETUP_STREAMING_RECOVERY;
  o.new_gen_stamp = 1001;
  o.min_bytes = a.size();
  o.max_bytes = a.size();
  o.offset = a.size();
  auto w = WriteBlock(nodes_[0]->port(), {}, 19, b, o);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->setup.status(), hh::SUCCESS) << w->setup.message();
  EXPECT_TRUE(w->AllAcksSucceeded(1));
  auto r = ReadBlock(nodes_[0]->port(), 19, 1001, 0, a.size() + b.size());
  ASSERT_TRUE(r.ok());
  EXPECT_BYTES_EQ(r->data, a + b);
}

TEST_F(XceiverTest, MirrorDownAtSetupNamesTheBadLink) {
  StartNodes(1);
  auto l = Listener::Listen("127.0.0.1", 0);
  ASSERT_TRUE(l.ok());
  int dead_port = l->port();
  *l = Listener();  // closed: nothing listens there now
  auto w = WriteBlock(nodes_[0]->port(), {dead_port}, 21, "hello");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->setup.status(), hh::ERROR);
  EXPECT_EQ(w->setup.firstbadlink(), "127.0.0.1:" + std::to_string(dead_port));
  EXPECT_FALSE(IsFinalized(0, 21));
  // The empty replica of the failed setup is gone (and reported deleted).
  ASSERT_EVENTUALLY_OK([&] { return nodes_[0]->listener.Count('D', 21) == 1; });
  EXPECT_EQ(nodes_[0]->store->GetReplica(21).status().code(), ErrorCode::kNotFound);
  // A three-node pipeline whose last node is down names that node.
  StartNodes(1);
  auto w3 = WriteBlock(nodes_[0]->port(), {nodes_[1]->port(), dead_port}, 22, "hello");
  ASSERT_TRUE(w3.ok());
  EXPECT_EQ(w3->setup.status(), hh::ERROR);
  EXPECT_EQ(w3->setup.firstbadlink(), "127.0.0.1:" + std::to_string(dead_port));
}

TEST_F(XceiverTest, MirrorFailingMidStreamIsNamedInTheAck) {
  StartNodes(2);
  auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->SetTimeouts(10000, 10000).ok());
  BufferedReader in(&*s);
  WriteOptions o;
  ASSERT_TRUE(SendOp(*s, DataTransferOp::kWriteBlock, MakeWriteOp(25, {nodes_[1]->port()}, o)).ok());
  hh::BlockOpResponseProto setup;
  ASSERT_TRUE(ReadBlockOpResponse(in, &setup).ok());
  ASSERT_EQ(setup.status(), hh::SUCCESS);
  std::string first = RandomBytes(65536, 13);
  int64_t seqno = 0;
  ASSERT_TRUE(SendDataPackets(*s, first, o, &seqno).ok());
  hh::PipelineAckProto ack;
  ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
  ASSERT_EQ(AckReplyCount(ack), 2);
  EXPECT_EQ(AckReply(ack, 1), hh::SUCCESS);

  nodes_[1]->server->Stop();  // the downstream node dies
  o.offset = first.size();
  // Keep sending until the first node reports the loss (the first packets may still fit
  // in socket buffers).
  bool reported = false;
  for (int i = 0; i < 50 && !reported; ++i) {
    if (!SendDataPackets(*s, RandomBytes(65536, 14 + i), o, &seqno).ok()) break;
    o.offset += 65536;
    if (!ReadPipelineAck(in, &ack).ok()) break;
    if (AckReplyCount(ack) == 2 && AckReply(ack, 1) == hh::ERROR) reported = true;
    else ASSERT_EQ(AckReply(ack, 1), hh::SUCCESS);
  }
  ASSERT_TRUE(reported);
  EXPECT_EQ(AckReply(ack, 0), hh::SUCCESS);
  // The first node keeps what it has as RBW for the client's recovery; nothing is finalized.
  EXPECT_FALSE(IsFinalized(0, 25));
  auto r = nodes_[0]->store->GetReplica(25);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, ReplicaState::kRbw);
  EXPECT_GE(r->bytes_acked, first.size());
}

TEST_F(XceiverTest, ReplicationAndTransferBlock) {
  StartNodes(3);
  std::string data = RandomBytes(333333, 12);
  ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {}, 23, data)->AllAcksSucceeded(1));
  // Namenode-ordered replication: a TRANSFER_FINALIZED pipeline to two targets.
  TransferRequest req;
  req.block.set_poolid("BP-test");
  req.block.set_blockid(23);
  req.block.set_generationstamp(1000);
  req.targets = {NodeInfo(nodes_[1]->port()), NodeInfo(nodes_[2]->port())};
  req.require_finalized = true;
  Status st = TransferReplica(*nodes_[0]->store, req, 10000);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EVENTUALLY_OK([&] { return IsFinalized(2, 23); });
  for (int i = 1; i < 3; ++i) {
    EXPECT_TRUE(IsFinalized(i, 23));
    EXPECT_EQ(nodes_[i]->listener.Count('R', 23), 1);
    auto r = ReadBlock(nodes_[i]->port(), 23, 1000, 0, data.size());
    ASSERT_TRUE(r.ok());
    EXPECT_BYTES_EQ(r->data, data);
  }
  // OP_TRANSFER_BLOCK from a client: node 1 copies its replica to a fresh node.
  StartNodes(1);
  auto s = ConnectTcp("127.0.0.1", nodes_[1]->port(), 5000);
  ASSERT_TRUE(s.ok());
  BufferedReader in(&*s);
  hh::OpTransferBlockProto op;
  auto* b = op.mutable_header()->mutable_baseheader()->mutable_block();
  b->set_poolid("BP-test");
  b->set_blockid(23);
  b->set_generationstamp(1000);
  b->set_numbytes(data.size());
  op.mutable_header()->set_clientname("DFSClient_test");
  *op.add_targets() = NodeInfo(nodes_[3]->port());
  ASSERT_TRUE(SendOp(*s, DataTransferOp::kTransferBlock, op).ok());
  hh::BlockOpResponseProto reply;
  ASSERT_TRUE(ReadBlockOpResponse(in, &reply).ok());
  EXPECT_EQ(reply.status(), hh::SUCCESS) << reply.message();
  EXPECT_TRUE(IsFinalized(3, 23));
  // A transfer of a block the source does not have fails cleanly.
  req.block.set_blockid(24);
  EXPECT_EQ(TransferReplica(*nodes_[0]->store, req, 10000).code(), ErrorCode::kNotFound);
}

TEST_F(XceiverTest, TooManyConnectionsGetAnError) {
  StartNodes(1);
  XceiverOptions xo;
  xo.max_xceivers = 1;
  xo.keepalive_ms = 10000;
  xo.socket_timeout_ms = 10000;
  auto server = XceiverServer::Start(xo, nodes_[0]->store.get());
  ASSERT_TRUE(server.ok());
  ExpectASecondConnectionRefused(**server, "busy");
  (*server)->Stop();
}

TEST_F(XceiverTest, ConnectionsPerAddressAreBounded) {
  StartNodes(1);
  XceiverOptions xo;
  xo.max_xceivers_per_address = 1;
  xo.keepalive_ms = 10000;
  xo.socket_timeout_ms = 10000;
  auto server = XceiverServer::Start(xo, nodes_[0]->store.get());
  ASSERT_TRUE(server.ok());
  ExpectASecondConnectionRefused(**server, "from 127.0.0.1");
  // The address's count went back down: a new connection is served.
  auto third = ConnectTcp("127.0.0.1", (*server)->port(), 5000);
  ASSERT_TRUE(third.ok());
  ASSERT_EVENTUALLY_OK([&] { return (*server)->active() == 1; });
  (*server)->Stop();
}

// An op whose header and message trickle in a byte at a time is dropped at the socket
// timeout of its first byte, although every byte came well within that timeout.
TEST_F(XceiverTest, AnOpTrickledByteByByteIsDroppedAtItsDeadline) {
  StartNodes(1);
  XceiverOptions xo;
  xo.keepalive_ms = 10000;
  xo.socket_timeout_ms = 1500;
  auto server = XceiverServer::Start(xo, nodes_[0]->store.get());
  ASSERT_TRUE(server.ok());
  auto s = ConnectTcp("127.0.0.1", (*server)->port(), 5000);
  ASSERT_TRUE(s.ok());
  const std::string op = EncodeOp(DataTransferOp::kWriteBlock, MakeWriteOp(700, {}, {}));
  ASSERT_GT(op.size(), 30u);
  const int64_t start = MonotonicMillis();
  bool dropped = false;
  for (char byte : op) {
    if (!s->WriteFully(&byte, 1).ok()) {
      dropped = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    if (MonotonicMillis() - start > 6000) break;
  }
  const int64_t elapsed = MonotonicMillis() - start;
  if (!dropped) {
    // The server may have closed without our writes failing yet: its side must be gone.
    ASSERT_EVENTUALLY_OK([&] { return (*server)->active() == 0; });
  }
  EXPECT_LT(elapsed, 6000) << "the whole op (" << op.size() << " bytes at 150 ms each) was taken";
  EXPECT_EQ((*server)->active(), 0);
  (*server)->Stop();
}

// A full disk: writes fail with an error ack, the volume stays in service, stored
// replicas stay readable, and writing works again once space is freed. Needs a small
// file system: a tmpfs mounted for the test (skipped where mounting is not allowed).
TEST_F(XceiverTest, FullDiskFailsWritesButKeepsTheVolume) {
  std::string dir = cairn::testing::MakeTempDir("full");
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=1m") != 0) {
    cairn::testing::RemoveTree(dir);
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  {
    auto node = StartNodeOn({dir + "/vol"});
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    int port = (*node)->port();
    std::string a = RandomBytes(300000, 20);
    ASSERT_TRUE(WriteBlock(port, {}, 40, a)->AllAcksSucceeded(1));
    auto big = WriteBlock(port, {}, 41, RandomBytes(2 << 20, 21));
    // Refused: an error ack, or, when the datanode closed while the rest was still being
    // sent, a reset connection.
    if (big.ok()) {
      ASSERT_FALSE(big->acks.empty());
      EXPECT_NE(AckReply(big->acks.back(), 0), hh::SUCCESS);
    } else {
      EXPECT_EQ(big.status().code(), ErrorCode::kUnavailable) << big.status().ToString();
    }
    auto vols = (*node)->store->Volumes();
    ASSERT_EQ(vols.size(), 1u);
    EXPECT_FALSE(vols[0].failed) << vols[0].failure;
    auto r41 = (*node)->store->GetReplica(41);
    ASSERT_TRUE(r41.ok());
    EXPECT_EQ(r41->state, ReplicaState::kRbw);
    auto read = ReadBlock(port, 40, 1000, 0, a.size());
    ASSERT_TRUE(read.ok());
    EXPECT_BYTES_EQ(read->data, a);
    ASSERT_TRUE((*node)->store->Delete(41, 1000).ok());
    ASSERT_TRUE(WriteBlock(port, {}, 42, RandomBytes(100000, 22))->AllAcksSucceeded(1));
    // The space count matches the files left, the failed write included.
    uint64_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/vol/current"))
      if (e.is_regular_file() && e.path().filename().string().rfind("blk_", 0) == 0) files += e.file_size();
    EXPECT_EQ((*node)->store->Volumes()[0].dfs_used, files);
  }
  ::umount2(dir.c_str(), MNT_DETACH);
  cairn::testing::RemoveTree(dir);
}

// --- Bad input: every case gets an error reply or a dropped connection, leaves no
// finalized replica behind, and the server keeps serving.

class RobustnessTest : public XceiverTest {
 protected:
  void SetUp() override {
    StartNodes(1);
    good_ = RandomBytes(100000, 99);
    ASSERT_TRUE(WriteBlock(nodes_[0]->port(), {}, 500, good_)->AllAcksSucceeded(1));
  }
  void TearDown() override {
    // The server still serves a correct read.
    auto r = ReadBlock(nodes_[0]->port(), 500, 1000, 123, 45678);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_BYTES_EQ(r->data, good_.substr(123, 45678));
    EXPECT_TRUE(IsFinalized(0, 500));
  }
  Socket Connect() {
    auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
    EXPECT_TRUE(s.ok());
    (void)s->SetTimeouts(10000, 10000);
    return std::move(s).value();
  }
  // Reads what the server sends until it closes the connection.
  static std::string ReadUntilClosed(Socket& s) {
    std::string out;
    char buf[4096];
    for (;;) {
      auto n = s.ReadSome(buf, sizeof buf);
      if (!n.ok() || *n == 0) return out;
      out.append(buf, *n);
    }
  }
  static hh::BlockOpResponseProto ParseReply(const std::string& bytes) {
    std::string_view v(bytes);
    hh::BlockOpResponseProto r;
    EXPECT_TRUE(ConsumeDelimited(&v, &r).ok()) << "no reply in " << bytes.size() << " bytes";
    return r;
  }
  // Sets up a write of block 600 and returns the socket after the setup reply.
  Socket StartWrite(BufferedReader** reader) {
    Socket s = Connect();
    EXPECT_TRUE(SendOp(s, DataTransferOp::kWriteBlock, MakeWriteOp(600, {}, {})).ok());
    reader_ = std::make_unique<BufferedReader>(&s);
    hh::BlockOpResponseProto setup;
    EXPECT_TRUE(ReadBlockOpResponse(*reader_, &setup).ok());
    EXPECT_EQ(setup.status(), hh::SUCCESS);
    *reader = reader_.get();
    return s;
  }
  std::string good_;
  std::unique_ptr<BufferedReader> reader_;
};

TEST_F(RobustnessTest, WrongVersion) {
  Socket s = Connect();
  const uint8_t op[] = {0x00, 0x1b, 0x51, 0x00};
  ASSERT_TRUE(s.WriteFully(op, sizeof op).ok());
  auto reply = ParseReply(ReadUntilClosed(s));
  EXPECT_EQ(reply.status(), hh::ERROR);
  EXPECT_NE(reply.message().find("version"), std::string::npos) << reply.message();
}

TEST_F(RobustnessTest, UnknownOpcode) {
  Socket s = Connect();
  const uint8_t op[] = {0x00, 0x1c, 0x63, 0x00};
  ASSERT_TRUE(s.WriteFully(op, sizeof op).ok());
  std::string bytes = ReadUntilClosed(s);
  EXPECT_GE(bytes.size(), 5u);
  EXPECT_EQ(ParseReply(bytes).status(), hh::ERROR_UNSUPPORTED);
}

TEST_F(RobustnessTest, TruncatedAndGarbageOpMessages) {
  {
    Socket s = Connect();
    const uint8_t op[] = {0x00, 0x1c, 0x50, 100, 1, 2, 3};  // claims 100 bytes, sends 3
    ASSERT_TRUE(s.WriteFully(op, sizeof op).ok());
    s.ShutdownWrite();
    EXPECT_EQ(ReadUntilClosed(s), "");
  }
  {
    Socket s = Connect();
    const uint8_t op[] = {0x00, 0x1c, 0x50, 4, 0xff, 0xff, 0xff, 0xff};  // not an OpWriteBlockProto
    ASSERT_TRUE(s.WriteFully(op, sizeof op).ok());
    EXPECT_EQ(ReadUntilClosed(s), "");
  }
  {
    Socket s = Connect();
    const uint8_t op[] = {0x00, 0x1c, 0x51, 0xff, 0xff, 0xff, 0xff, 0x0f};  // 4 GiB message
    ASSERT_TRUE(s.WriteFully(op, sizeof op).ok());
    EXPECT_EQ(ReadUntilClosed(s), "");
  }
}

TEST_F(RobustnessTest, TruncatedPacket) {
  BufferedReader* in;
  Socket s = StartWrite(&in);
  std::string data = RandomBytes(4096, 1);
  auto sums = ChunkCrcs(data);
  hh::PacketHeaderProto h;
  h.set_offsetinblock(0);
  h.set_seqno(0);
  h.set_lastpacketinblock(true);
  h.set_datalen(4096);
  std::string header = h.SerializeAsString();
  uint8_t prefix[6];
  StoreBigEndian32(prefix, 4 + sums.size() + data.size());
  StoreBigEndian16(prefix + 4, header.size());
  ASSERT_TRUE(s.WriteFully(prefix, 6).ok());
  ASSERT_TRUE(s.WriteFully(header).ok());
  ASSERT_TRUE(s.WriteFully(sums.data(), sums.size()).ok());
  ASSERT_TRUE(s.WriteFully(data.data(), 1000).ok());  // then the client vanishes
  s.Close();
  ASSERT_EVENTUALLY_OK([&] { return nodes_[0]->server->active() == 0; });
  EXPECT_FALSE(IsFinalized(0, 600));
}

TEST_F(RobustnessTest, OversizedPacketLength) {
  BufferedReader* in;
  Socket s = StartWrite(&in);
  uint8_t prefix[6];
  StoreBigEndian32(prefix, 0x7fffffff);
  StoreBigEndian16(prefix + 4, 25);
  ASSERT_TRUE(s.WriteFully(prefix, 6).ok());
  EXPECT_EQ(ReadUntilClosed(s), "");
  EXPECT_FALSE(IsFinalized(0, 600));
}

TEST_F(RobustnessTest, BadChecksumIsAckedAsChecksumError) {
  BufferedReader* in;
  Socket s = StartWrite(&in);
  std::string data = RandomBytes(2048, 2);
  auto sums = ChunkCrcs(data);
  sums[5] ^= 0x40;  // corrupt the second chunk's CRC
  hh::PacketHeaderProto h;
  h.set_offsetinblock(0);
  h.set_seqno(0);
  h.set_lastpacketinblock(false);
  h.set_datalen(2048);
  ASSERT_TRUE(SendPacket(s, h, sums, Bytes(data)).ok());
  ASSERT_TRUE(SendLastPacket(s, 2048, 1).ok());
  hh::PipelineAckProto ack;
  ASSERT_TRUE(ReadPipelineAck(*in, &ack).ok());
  EXPECT_EQ(ack.seqno(), 0);
  EXPECT_EQ(AckReply(ack, 0), hh::ERROR_CHECKSUM);
  EXPECT_FALSE(IsFinalized(0, 600));
}

TEST_F(RobustnessTest, WrongChecksumLengthAndGaps) {
  {
    BufferedReader* in;
    Socket s = StartWrite(&in);
    std::string data = RandomBytes(1024, 3);
    auto sums = ChunkCrcs(data);
    hh::PacketHeaderProto h;
    h.set_offsetinblock(0);
    h.set_seqno(0);
    h.set_lastpacketinblock(true);
    h.set_datalen(1024);
    ASSERT_TRUE(SendPacket(s, h, std::span(sums).subspan(0, 4), Bytes(data)).ok());  // one CRC for two chunks
    hh::PipelineAckProto ack;
    ASSERT_TRUE(ReadPipelineAck(*in, &ack).ok());
    EXPECT_NE(AckReply(ack, 0), hh::SUCCESS);
  }
  ASSERT_EVENTUALLY_OK([&] { return nodes_[0]->server->active() == 0; });
  EXPECT_FALSE(IsFinalized(0, 600));
  {
    // Block 600 is RBW now; a new write to it is refused; a write with a gap fails.
    auto again = WriteBlock(nodes_[0]->port(), {}, 600, "x");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->setup.status(), hh::ERROR_EXISTS);
    WriteOptions o;
    o.offset = 4096;
    auto gap = WriteBlock(nodes_[0]->port(), {}, 601, "data after a gap", o);
    ASSERT_TRUE(gap.ok());
    ASSERT_FALSE(gap->acks.empty());
    EXPECT_NE(AckReply(gap->acks[0], 0), hh::SUCCESS);
    EXPECT_FALSE(IsFinalized(0, 601));
  }
}

TEST_F(RobustnessTest, UnsupportedChecksumType) {
  WriteOptions o;
  o.type = ChecksumType::kNull;
  auto w = WriteBlock(nodes_[0]->port(), {}, 602, "abc", o);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->setup.status(), hh::ERROR_UNSUPPORTED);
  EXPECT_EQ(nodes_[0]->store->GetReplica(602).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::datanode
