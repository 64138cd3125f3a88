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

TEST(PacketChunkCountTest, CountsHeadChunkSeparately) {
  EXPECT_EQ(PacketChunkCount(0, 0, kChunk), 0u);
  EXPECT_EQ(PacketChunkCount(0, 1, kChunk), 1u);
  EXPECT_EQ(PacketChunkCount(0, 512, kChunk), 1u);
  EXPECT_EQ(PacketChunkCount(0, 513, kChunk), 2u);
  EXPECT_EQ(PacketChunkCount(500, 12, kChunk), 1u);   // exactly fills the head chunk
  EXPECT_EQ(PacketChunkCount(500, 13, kChunk), 2u);   // head chunk + 1 byte of the next
  EXPECT_EQ(PacketChunkCount(500, 12 + 1024, kChunk), 3u);
  EXPECT_EQ(PacketChunkCount(1, 5, kChunk), 1u);
}

TEST(PacketChecksumTest, AlignedDataMatchesPlainChunkChecksums) {
  std::string data = testing::RandomBytes(3000, 1);
  std::vector<uint8_t> mine(PacketChunkCount(0, data.size(), kChunk) * 4);
  std::vector<uint8_t> plain(ChunkCount(data.size(), kChunk) * 4);
  EXPECT_EQ(ComputePacketChecksums(ChecksumType::kCrc32c, kChunk, 1024, Bytes(data), mine.data()), mine.size());
  ComputeChunkChecksums(ChecksumType::kCrc32c, kChunk, Bytes(data), plain.data());
  EXPECT_EQ(mine, plain);
  EXPECT_TRUE(VerifyPacketChecksums(ChecksumType::kCrc32c, kChunk, 1024, Bytes(data), mine).ok());
}

TEST(PacketChecksumTest, HeadChunkCoversOnlyTheBytesUpToTheBoundary) {
  std::string data = testing::RandomBytes(1000, 2);
  const uint64_t offset = 700;  // 700 % 512 = 188: the head chunk holds 324 bytes
  std::vector<uint8_t> sums(PacketChunkCount(offset, data.size(), kChunk) * 4);
  ASSERT_EQ(sums.size(), 3u * 4);
  ComputePacketChecksums(ChecksumType::kCrc32c, kChunk, offset, Bytes(data), sums.data());
  EXPECT_EQ(LoadBigEndian32(sums.data()), Crc32c(data.data(), 324));
  EXPECT_EQ(LoadBigEndian32(sums.data() + 4), Crc32c(data.data() + 324, 512));
  EXPECT_EQ(LoadBigEndian32(sums.data() + 8), Crc32c(data.data() + 836, 164));
  EXPECT_TRUE(VerifyPacketChecksums(ChecksumType::kCrc32c, kChunk, offset, Bytes(data), sums).ok());
}

TEST(PacketChecksumTest, VerifyCatchesCorruptionAndNamesTheOffset) {
  std::string data = testing::RandomBytes(2048, 3);
  std::vector<uint8_t> sums(4 * 4);
  ComputePacketChecksums(ChecksumType::kCrc32, kChunk, 4096, Bytes(data), sums.data());
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
