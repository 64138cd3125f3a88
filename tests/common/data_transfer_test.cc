#include "common/data_transfer.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <thread>

#include "common/checksum.h"
#include "common/endian.h"
#include "common/proto_io.h"

namespace cairn {
namespace {

namespace hh = hadoop::hdfs;

std::pair<Socket, Socket> SocketPair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  return {Socket(fds[0]), Socket(fds[1])};
}

TEST(DataTransferTest, OpHeaderRoundTrip) {
  auto [a, b] = SocketPair();
  hh::OpReadBlockProto op;
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_poolid("BP-1");
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_blockid(42);
  op.mutable_header()->mutable_baseheader()->mutable_block()->set_generationstamp(7);
  op.mutable_header()->set_clientname("c");
  op.set_offset(3);
  op.set_len(99);
  ASSERT_TRUE(SendOp(a, DataTransferOp::kReadBlock, op).ok());
  BufferedReader in(&b);
  DataTransferOp code;
  ASSERT_TRUE(ReadOpHeader(in, &code).ok());
  EXPECT_EQ(code, DataTransferOp::kReadBlock);
  hh::OpReadBlockProto got;
  ASSERT_TRUE(ReadDelimited(in, &got).ok());
  EXPECT_EQ(got.header().baseheader().block().blockid(), 42u);
  EXPECT_EQ(got.len(), 99u);
}

TEST(DataTransferTest, WrongVersionRejected) {
  auto [a, b] = SocketPair();
  const uint8_t bad[] = {0x00, 0x1b, 81};
  ASSERT_TRUE(a.WriteFully(bad, sizeof bad).ok());
  BufferedReader in(&b);
  DataTransferOp code;
  EXPECT_EQ(ReadOpHeader(in, &code).code(), ErrorCode::kProtocolError);
}

TEST(DataTransferTest, ResponseIsAtLeastFiveBytes) {
  auto [a, b] = SocketPair();
  hh::BlockOpResponseProto r;
  r.set_status(hh::SUCCESS);
  ASSERT_TRUE(SendBlockOpResponse(a, r).ok());
  a.ShutdownWrite();
  uint8_t buf[64];
  size_t total = 0;
  for (;;) {
    auto n = b.ReadSome(buf + total, sizeof buf - total);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_GE(total, 5u);
  std::string_view view(reinterpret_cast<char*>(buf), total);
  hh::BlockOpResponseProto parsed;
  ASSERT_TRUE(ConsumeDelimited(&view, &parsed).ok());
  EXPECT_EQ(parsed.status(), hh::SUCCESS);
  EXPECT_TRUE(view.empty());
}

TEST(DataTransferTest, PacketRoundTripAndLimits) {
  auto [a, b] = SocketPair();
  std::string data(1500, 'x');
  std::vector<uint8_t> sums(ChunkCount(data.size(), 512) * 4);
  ComputeChunkChecksums(ChecksumType::kCrc32c, 512,
                        {reinterpret_cast<const uint8_t*>(data.data()), data.size()}, sums.data());
  hh::PacketHeaderProto h;
  h.set_offsetinblock(1024);
  h.set_seqno(5);
  h.set_lastpacketinblock(false);
  h.set_datalen(static_cast<int32_t>(data.size()));
  std::thread writer([&] {
    EXPECT_TRUE(SendPacket(a, h, sums, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}).ok());
  });
  BufferedReader in(&b);
  PacketReader reader;
  ASSERT_TRUE(reader.Next(in).ok());
  writer.join();
  EXPECT_EQ(reader.header().seqno(), 5);
  EXPECT_EQ(reader.header().offsetinblock(), 1024);
  EXPECT_EQ(reader.data().size(), data.size());
  EXPECT_EQ(reader.checksums().size(), sums.size());
  EXPECT_TRUE(VerifyChunkChecksums(ChecksumType::kCrc32c, 512, reader.data(), reader.checksums().data(), 1024).ok());
  EXPECT_EQ(reader.raw().size(), 6 + h.ByteSizeLong() + sums.size() + data.size());

  // An oversized payload length is refused before any allocation.
  const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0x00, 0x08};
  ASSERT_TRUE(a.WriteFully(huge, sizeof huge).ok());
  EXPECT_EQ(reader.Next(in).code(), ErrorCode::kProtocolError);
}

TEST(DataTransferTest, TruncatedPacketIsAnError) {
  auto [a, b] = SocketPair();
  const uint8_t partial[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x09};
  ASSERT_TRUE(a.WriteFully(partial, sizeof partial).ok());
  a.Close();
  BufferedReader in(&b);
  PacketReader reader;
  EXPECT_FALSE(reader.Next(in).ok());
}

// A header announcing the largest packet, followed by a few bytes and silence, must not
// make the reader allocate what was announced.
TEST(DataTransferTest, AnnouncedPacketLengthDoesNotAllocateMemory) {
  auto [a, b] = SocketPair();
  hh::PacketHeaderProto h;
  h.set_offsetinblock(0);
  h.set_seqno(1);
  h.set_lastpacketinblock(false);
  h.set_datalen(static_cast<int32_t>(kMaxPacketPayload - 4));
  std::string header = h.SerializeAsString();
  std::string bytes(6, '\0');
  StoreBigEndian32(reinterpret_cast<uint8_t*>(bytes.data()), kMaxPacketPayload);
  StoreBigEndian16(reinterpret_cast<uint8_t*>(bytes.data()) + 4, static_cast<uint16_t>(header.size()));
  bytes += header;
  bytes += std::string(1000, 'x');
  ASSERT_TRUE(a.WriteFully(bytes).ok());
  a.Close();
  BufferedReader in(&b);
  PacketReader reader;
  EXPECT_FALSE(reader.Next(in).ok());
  EXPECT_LE(reader.buffer_bytes(), 256u << 10) << "the reader allocated for the announced " << kMaxPacketPayload << " bytes";
}

TEST(DataTransferTest, AckReadsFlagOrReply) {
  auto [a, b] = SocketPair();
  std::vector<hh::Status> replies = {hh::SUCCESS, hh::ERROR_CHECKSUM};
  ASSERT_TRUE(SendPipelineAck(a, 9, replies).ok());
  BufferedReader in(&b);
  hh::PipelineAckProto ack;
  ASSERT_TRUE(ReadPipelineAck(in, &ack).ok());
  EXPECT_EQ(ack.seqno(), 9);
  ASSERT_EQ(AckReplyCount(ack), 2);
  EXPECT_EQ(AckReply(ack, 1), hh::ERROR_CHECKSUM);
  ack.clear_flag();
  EXPECT_EQ(AckReply(ack, 0), hh::SUCCESS);
  EXPECT_EQ(AckReply(ack, 1), hh::ERROR_CHECKSUM);
}

}  // namespace
}  // namespace cairn
