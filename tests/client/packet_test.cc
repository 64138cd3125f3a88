// Packet and chunk arithmetic of the write path (client/packet.h).
#include "client/packet.h"

#include <gtest/gtest.h>

#include "common/endian.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

constexpr uint32_t kChunk = 512;
constexpr uint32_t kPacket = 64 * 1024;

std::span<const uint8_t> Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(PacketCapacityTest, WholePacketsInsideABlock) {
  EXPECT_EQ(PacketCapacity(0, 128 << 20, kPacket, kChunk), kPacket);
  EXPECT_EQ(PacketCapacity(kPacket, 128 << 20, kPacket, kChunk), kPacket);
}

TEST(PacketCapacityTest, NeverCrossesTheBlockEnd) {
  EXPECT_EQ(PacketCapacity(0, 3 * kChunk, kPacket, kChunk), 3 * kChunk);
  EXPECT_EQ(PacketCapacity(65536 - 1024, 65536, kPacket, kChunk), 1024u);
  EXPECT_EQ(PacketCapacity(65536, 65536, kPacket, kChunk), 0u);
}

TEST(PacketCapacityTest, UnalignedStartEndsOnAChunkBoundary) {
  // After an hflush at 700 bytes the next packet may only run to a chunk boundary.
  uint32_t cap = PacketCapacity(700, 128 << 20, kPacket, kChunk);
  EXPECT_EQ(cap, kPacket - 700 % kChunk);
  EXPECT_EQ((700 + cap) % kChunk, 0u);
}

TEST(PacketChecksumTest, ChecksumsCoverChunksFromThePacketStart) {
  // A packet continuing after an hflush at block offset 700: its CRCs still cover 512-byte
  // pieces counted from its own first byte, as HDFS sends them.
  PacketPool pool(kPacket, kChunk);
  const uint64_t offset = 700;
  auto p = pool.Get(1, offset, PacketCapacity(offset, 1 << 20, kPacket, kChunk));
  std::string data = testing::RandomBytes(1000, 2);
  std::memcpy(p->free_space(), data.data(), data.size());
  p->data_len = 1000;
  p->ComputeChecksums(ChecksumType::kCrc32c, kChunk);
  ASSERT_EQ(p->checksum_len, 2u * 4);
  EXPECT_EQ(LoadBigEndian32(p->checksums.get()), Crc32c(data.data(), 512));
  EXPECT_EQ(LoadBigEndian32(p->checksums.get() + 4), Crc32c(data.data() + 512, 488));
  EXPECT_TRUE(VerifyPacketChecksums(ChecksumType::kCrc32c, kChunk, offset, p->data_span(), p->checksum_span()).ok());
}

TEST(PacketChecksumTest, VerifyCatchesCorruptionAndNamesTheOffset) {
  std::string data = testing::RandomBytes(2048, 3);
  std::vector<uint8_t> sums(4 * 4);
  ComputeChunkChecksums(ChecksumType::kCrc32, kChunk, Bytes(data), sums.data());
  data[1500] ^= 0x40;
  Status st = VerifyPacketChecksums(ChecksumType::kCrc32, kChunk, 4096, Bytes(data), sums);
  EXPECT_EQ(st.code(), ErrorCode::kChecksumMismatch);
  EXPECT_NE(st.message().find("offset 5120"), std::string::npos) << st.ToString();
}

TEST(PacketChecksumTest, VerifyRejectsAWrongNumberOfChecksums) {
  std::string data = testing::RandomBytes(1024, 4);
  std::vector<uint8_t> sums(3 * 4);
  EXPECT_EQ(VerifyPacketChecksums(ChecksumType::kCrc32c, kChunk, 0, Bytes(data), sums).code(),
            ErrorCode::kProtocolError);
}

TEST(PacketPoolTest, RecyclesBuffersAndResetsState) {
  PacketPool pool(kPacket, kChunk);
  auto p = pool.Get(7, 4096, kPacket);
  EXPECT_EQ(p->seqno, 7);
  EXPECT_EQ(p->capacity, kPacket);
  p->data_len = 100;
  p->last = true;
  uint8_t* buffer = p->data.get();
  pool.Put(std::move(p));
  auto q = pool.Get(8, 0, 1 << 30);
  EXPECT_EQ(q->data.get(), buffer);
  EXPECT_EQ(q->data_len, 0u);
  EXPECT_FALSE(q->last);
  EXPECT_EQ(q->capacity, kPacket);  // clamped to the buffer
}

}  // namespace
}  // namespace cairn::client
