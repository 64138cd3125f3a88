// BlockReader and DataPipeline against a scripted fake datanode: ranges that start and end
// mid-chunk, reads straight into the caller's buffer, checksum failures, error replies,
// acks from a pipeline of two, a downstream node failing, and set-up refusals.
#include <gtest/gtest.h>

#include "client/block_reader.h"
#include "client/data_pipeline.h"
#include "common/data_transfer.h"
#include "common/proto_io.h"
#include "tests/client/fake_datanode.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

using testing::FakeDatanode;
constexpr uint32_t kChunk = 512;

hh::ExtendedBlockProto Block(uint64_t bytes = 0) {
  hh::ExtendedBlockProto b;
  b.set_poolid("BP-test");
  b.set_blockid(1073741825);
  b.set_generationstamp(1001);
  b.set_numbytes(bytes);
  return b;
}

struct ReadScript {
  std::string block;
  ChecksumType type = ChecksumType::kCrc32c;
  uint32_t packet_bytes = 1024;
  int64_t corrupt_at = -1;          // flip this block byte after computing checksums
  hh::Status reply = hh::SUCCESS;
  // Filled by the fake:
  hh::OpReadBlockProto request;
  hh::Status client_status = hh::ERROR;
  bool got_client_status = false;
};

void ServeRead(ReadScript* s, Socket& sock, BufferedReader& in) {
  DataTransferOp op;
  if (!ReadOpHeader(in, &op).ok() || op != DataTransferOp::kReadBlock) return;
  if (!ReadDelimited(in, &s->request).ok()) return;
  hh::BlockOpResponseProto resp;
  resp.set_status(s->reply);
  if (s->reply != hh::SUCCESS) {
    resp.set_message("Replica not found for " + std::to_string(s->request.header().baseheader().block().blockid()));
    (void)SendBlockOpResponse(sock, resp);
    return;
  }
  const uint64_t start = s->request.offset() / kChunk * kChunk;
  const uint64_t end = std::min<uint64_t>(s->block.size(), (s->request.offset() + s->request.len() + kChunk - 1) / kChunk * kChunk);
  resp.mutable_readopchecksuminfo()->mutable_checksum()->set_type(static_cast<hh::ChecksumTypeProto>(s->type));
  resp.mutable_readopchecksuminfo()->mutable_checksum()->set_bytesperchecksum(kChunk);
  resp.mutable_readopchecksuminfo()->set_chunkoffset(start);
  if (!SendBlockOpResponse(sock, resp).ok()) return;
  int64_t seqno = 0;
  for (uint64_t pos = start; pos < end; pos += s->packet_bytes) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(s->packet_bytes, end - pos));
    std::string data = s->block.substr(pos, n);
    std::vector<uint8_t> sums(ChunkCount(n, kChunk) * 4);
    ComputeChunkChecksums(s->type, kChunk, {reinterpret_cast<const uint8_t*>(data.data()), n}, sums.data());
    if (s->corrupt_at >= static_cast<int64_t>(pos) && s->corrupt_at < static_cast<int64_t>(pos + n))
      data[s->corrupt_at - pos] ^= 0x01;
    hh::PacketHeaderProto h;
    h.set_offsetinblock(static_cast<int64_t>(pos));
    h.set_seqno(seqno++);
    h.set_lastpacketinblock(false);
    h.set_datalen(static_cast<int32_t>(n));
    if (!SendPacket(sock, h, sums, {reinterpret_cast<const uint8_t*>(data.data()), n}).ok()) return;
  }
  hh::PacketHeaderProto last;
  last.set_offsetinblock(static_cast<int64_t>(end));
  last.set_seqno(seqno);
  last.set_lastpacketinblock(true);
  last.set_datalen(0);
  if (!SendPacket(sock, last, {}, {}).ok()) return;
  hh::ClientReadStatusProto status;
  if (ReadDelimited(in, &status).ok()) {
    s->got_client_status = true;
    s->client_status = status.status();
  }
}

BlockReaderOptions ReaderOptions() {
  BlockReaderOptions o;
  o.client_name = "test-client";
  o.socket_timeout_ms = 10000;
  return o;
}

Result<std::string> ReadAll(BlockReader& r, size_t chunk) {
  std::string out;
  std::vector<char> buf(chunk);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, r.Read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

TEST(BlockReaderTest, ReadsAnUnalignedRangeWithSmallReads) {
  ReadScript script;
  script.block = cairn::testing::RandomBytes(5000, 1);
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeRead(&script, s, in); });
  auto r = BlockReader::Open(Block(5000), EmptyBlockToken(), dn.Info("a").id(), 700, 3000, ReaderOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto got = ReadAll(**r, 100);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, script.block.substr(700, 3000));
  EXPECT_EQ((*r)->remaining(), 0u);
  dn.Join();
  EXPECT_EQ(script.request.offset(), 700u);
  EXPECT_EQ(script.request.len(), 3000u);
  EXPECT_EQ(script.request.header().clientname(), "test-client");
  EXPECT_TRUE(script.request.sendchecksums());
  EXPECT_TRUE(script.got_client_status);
  EXPECT_EQ(script.client_status, hh::CHECKSUM_OK);
}

TEST(BlockReaderTest, BigReadsTakeWholePacketsStraightIntoTheBuffer) {
  ReadScript script;
  script.block = cairn::testing::RandomBytes(4096 + 300, 2);
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeRead(&script, s, in); });
  auto r = BlockReader::Open(Block(4396), EmptyBlockToken(), dn.Info("a").id(), 0, 4396, ReaderOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<char> buf(8192);
  auto first = (*r)->Read(buf.data(), buf.size());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1024u);  // one packet, no copy through the reader's buffer
  EXPECT_EQ(std::string(buf.data(), 1024), script.block.substr(0, 1024));
  auto rest = ReadAll(**r, 8192);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(std::string(buf.data(), 1024) + *rest, script.block);
  dn.Join();
  EXPECT_EQ(script.client_status, hh::CHECKSUM_OK);
}

TEST(BlockReaderTest, Crc32ReplicasAreVerifiedToo) {
  ReadScript script;
  script.block = cairn::testing::RandomBytes(2000, 3);
  script.type = ChecksumType::kCrc32;
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeRead(&script, s, in); });
  auto r = BlockReader::Open(Block(2000), EmptyBlockToken(), dn.Info("a").id(), 1, 1998, ReaderOptions());
  ASSERT_TRUE(r.ok());
  auto got = ReadAll(**r, 333);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, script.block.substr(1, 1998));
}

TEST(BlockReaderTest, CorruptDataIsAChecksumMismatchNamingBlockAndNode) {
  ReadScript script;
  script.block = cairn::testing::RandomBytes(5000, 4);
  script.corrupt_at = 2500;
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeRead(&script, s, in); });
  auto r = BlockReader::Open(Block(5000), EmptyBlockToken(), dn.Info("a").id(), 0, 5000, ReaderOptions());
  ASSERT_TRUE(r.ok());
  auto got = ReadAll(**r, 4096);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kChecksumMismatch);
  EXPECT_NE(got.status().message().find("blk_1073741825_1001"), std::string::npos) << got.status().ToString();
  EXPECT_NE(got.status().message().find("127.0.0.1:" + std::to_string(dn.port())), std::string::npos);
  r = Status(Aborted("done"));  // closes the connection, so the fake stops waiting for a status
  dn.Join();
  EXPECT_FALSE(script.got_client_status && script.client_status == hh::CHECKSUM_OK);
}

TEST(BlockReaderTest, ErrorReplyCarriesTheDatanodesMessage) {
  ReadScript script;
  script.reply = hh::ERROR;
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeRead(&script, s, in); });
  auto r = BlockReader::Open(Block(10), EmptyBlockToken(), dn.Info("a").id(), 0, 10, ReaderOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIoError);
  EXPECT_NE(r.status().message().find("Replica not found"), std::string::npos) << r.status().ToString();
}

TEST(BlockReaderTest, UnreachableDatanodeIsUnavailable) {
  auto r = BlockReader::Open(Block(10), EmptyBlockToken(), FakeDatanode::NodeInfo("x", 1).id(), 0, 10, ReaderOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos);
}

// ---- write pipeline ----

struct WriteScript {
  int replies = 2;               // pretend to be the head of a pipeline of this many nodes
  int64_t fail_seqno = INT64_MIN;  // ack this seqno with ERROR for the last node
  std::string first_bad_link;    // refuse set-up naming this node
  // Filled by the fake:
  hh::OpWriteBlockProto op;
  std::string received;
  std::vector<bool> sync_flags;
  bool checksums_ok = true;
  bool saw_last = false;
  std::atomic<int> heartbeats{0};
};

void ServeWrite(WriteScript* s, Socket& sock, BufferedReader& in) {
  DataTransferOp op;
  if (!ReadOpHeader(in, &op).ok() || op != DataTransferOp::kWriteBlock) return;
  if (!ReadDelimited(in, &s->op).ok()) return;
  hh::BlockOpResponseProto resp;
  resp.set_status(s->first_bad_link.empty() ? hh::SUCCESS : hh::ERROR);
  resp.set_firstbadlink(s->first_bad_link);
  if (!SendBlockOpResponse(sock, resp).ok() || !s->first_bad_link.empty()) return;
  PacketReader packets;
  while (packets.Next(in).ok()) {
    const auto& h = packets.header();
    if (!VerifyPacketChecksums(ChecksumType::kCrc32c, kChunk, h.offsetinblock(), packets.data(), packets.checksums()).ok())
      s->checksums_ok = false;
    if (h.seqno() == Packet::kHeartbeatSeqno && packets.data().empty()) ++s->heartbeats;
    if (h.seqno() >= 0) {
      if (s->received.size() != static_cast<size_t>(h.offsetinblock())) s->checksums_ok = false;  // a gap
      s->received.append(reinterpret_cast<const char*>(packets.data().data()), packets.data().size());
      s->sync_flags.push_back(h.syncblock());
    }
    std::vector<hh::Status> replies(static_cast<size_t>(s->replies), hh::SUCCESS);
    if (h.seqno() == s->fail_seqno) replies.back() = hh::ERROR;
    if (!SendPipelineAck(sock, h.seqno(), replies).ok()) return;
    if (h.lastpacketinblock()) {
      s->saw_last = true;
      return;
    }
  }
}

PipelineSetup TwoNodeSetup(const FakeDatanode& dn) {
  PipelineSetup s;
  s.block = Block();
  s.nodes = {dn.Info("head"), FakeDatanode::NodeInfo("second", 1)};
  s.latest_gen_stamp = 1001;
  s.client_name = "test-client";
  s.socket_timeout_ms = 10000;
  s.window_packets = 4;
  return s;
}

std::unique_ptr<Packet> MakePacket(PacketPool& pool, int64_t seqno, uint64_t offset, const std::string& data) {
  auto p = pool.Get(seqno, offset, PacketCapacity(offset, 1 << 20, pool.packet_data_bytes(), kChunk));
  std::memcpy(p->free_space(), data.data(), data.size());
  p->data_len = static_cast<uint32_t>(data.size());
  p->ComputeChecksums(ChecksumType::kCrc32c, kChunk);
  return p;
}

TEST(DataPipelineTest, StreamsPacketsIncludingAnUnalignedContinuation) {
  WriteScript script;
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeWrite(&script, s, in); });
  PacketPool pool(64 * 1024, kChunk);
  std::string bad;
  auto p = DataPipeline::Open(TwoNodeSetup(dn), &pool, &bad);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(bad.empty());
  const std::string data = cairn::testing::RandomBytes(1000 + 3000 + 64 * 1024, 5);
  // 1000 bytes then an hflush: the next packet starts mid-chunk.
  ASSERT_TRUE((*p)->Send(MakePacket(pool, 0, 0, data.substr(0, 1000))).ok());
  ASSERT_TRUE((*p)->WaitForAcks().ok());
  ASSERT_TRUE((*p)->Send(MakePacket(pool, 1, 1000, data.substr(1000, 3000))).ok());
  auto sync = MakePacket(pool, 2, 4000, data.substr(4000));
  sync->sync = true;
  ASSERT_TRUE((*p)->Send(std::move(sync)).ok());
  auto last = pool.Get(3, data.size(), 0);
  last->last = true;
  ASSERT_TRUE((*p)->Send(std::move(last)).ok());
  ASSERT_TRUE((*p)->Close().ok());
  dn.Join();
  EXPECT_TRUE(script.checksums_ok);
  EXPECT_TRUE(script.saw_last);
  EXPECT_EQ(script.received, data);
  EXPECT_EQ(script.sync_flags, (std::vector<bool>{false, false, true, false}));
  EXPECT_EQ(script.op.targets_size(), 1);
  EXPECT_EQ(script.op.pipelinesize(), 2u);
  EXPECT_EQ(script.op.stage(), hh::OpWriteBlockProto::PIPELINE_SETUP_CREATE);
  EXPECT_EQ(script.op.requestedchecksum().type(), hh::CHECKSUM_CRC32C);
  EXPECT_EQ(script.op.requestedchecksum().bytesperchecksum(), kChunk);
  EXPECT_EQ(script.op.header().clientname(), "test-client");
}

TEST(DataPipelineTest, AnIdlePipelineSendsHeartbeatPackets) {
  WriteScript script;
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeWrite(&script, s, in); });
  PacketPool pool(64 * 1024, kChunk);
  PipelineSetup setup = TwoNodeSetup(dn);
  setup.socket_timeout_ms = 2000;  // heartbeats every second of silence
  std::string bad;
  auto p = DataPipeline::Open(setup, &pool, &bad);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE((*p)->Send(MakePacket(pool, 0, 0, "before")).ok());
  ASSERT_TRUE((*p)->WaitForAcks().ok());
  ASSERT_EVENTUALLY(script.heartbeats.load() >= 2 || !(*p)->error().ok(), 10000);
  ASSERT_TRUE((*p)->error().ok()) << (*p)->error().ToString();
  EXPECT_GE(script.heartbeats.load(), 2);
  ASSERT_TRUE((*p)->Send(MakePacket(pool, 1, 6, "after")).ok());
  auto last = pool.Get(2, 11, 0);
  last->last = true;
  ASSERT_TRUE((*p)->Send(std::move(last)).ok());
  ASSERT_TRUE((*p)->Close().ok());
  dn.Join();
  EXPECT_EQ(script.received, "beforeafter");
  EXPECT_TRUE(script.checksums_ok);
}

TEST(DataPipelineTest, ADownstreamErrorFailsTheStreamNamingThatNode) {
  WriteScript script;
  script.fail_seqno = 1;
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeWrite(&script, s, in); });
  PacketPool pool(64 * 1024, kChunk);
  std::string bad;
  auto p = DataPipeline::Open(TwoNodeSetup(dn), &pool, &bad);
  ASSERT_TRUE(p.ok());
  const std::string data = cairn::testing::RandomBytes(2048, 6);
  ASSERT_TRUE((*p)->Send(MakePacket(pool, 0, 0, data.substr(0, 1024))).ok());
  ASSERT_TRUE((*p)->Send(MakePacket(pool, 1, 1024, data.substr(1024))).ok());
  Status st = (*p)->WaitForAcks();
  EXPECT_EQ(st.code(), ErrorCode::kIoError);
  EXPECT_NE(st.message().find("127.0.0.1:1"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("ERROR"), std::string::npos) << st.ToString();
  // Sticky: later sends report the same failure.
  EXPECT_EQ((*p)->Send(MakePacket(pool, 2, 2048, "x")).code(), ErrorCode::kIoError);
}

TEST(DataPipelineTest, RefusedSetUpNamesTheBadLink) {
  WriteScript script;
  script.first_bad_link = "127.0.0.1:1";
  FakeDatanode dn([&](Socket& s, BufferedReader& in) { ServeWrite(&script, s, in); });
  PacketPool pool(64 * 1024, kChunk);
  std::string bad;
  auto p = DataPipeline::Open(TwoNodeSetup(dn), &pool, &bad);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(bad, "127.0.0.1:1");
  EXPECT_NE(p.status().message().find("127.0.0.1:1"), std::string::npos) << p.status().ToString();
}

TEST(DataPipelineTest, UnreachableFirstNodeIsTheBadNode) {
  PacketPool pool(64 * 1024, kChunk);
  PipelineSetup s;
  s.block = Block();
  s.nodes = {FakeDatanode::NodeInfo("gone", 1)};
  s.client_name = "c";
  s.socket_timeout_ms = 2000;
  std::string bad;
  auto p = DataPipeline::Open(s, &pool, &bad);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(bad, "127.0.0.1:1");
  EXPECT_EQ(p.status().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace cairn::client
