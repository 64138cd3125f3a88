// Unit tests of the on-disk formats and the packet write arithmetic.
#include <gtest/gtest.h>

#include "common/endian.h"
#include "common/meta_file.h"
#include "datanode/store/block_layout.h"
#include "datanode/store/storage_version.h"
#include "datanode/transfer/packet_plan.h"
#include "tests/support/test_util.h"

namespace cairn::datanode {
namespace {

TEST(MetaFileTest, HeaderRoundTripIsHdfsBytes) {
  ChecksumSpec spec{ChecksumType::kCrc32c, 512};
  uint8_t h[kMetaHeaderSize];
  EncodeMetaHeader(spec, h);
  const uint8_t want[] = {0x00, 0x01, 0x02, 0x00, 0x00, 0x02, 0x00};
  EXPECT_EQ(0, std::memcmp(h, want, sizeof want));
  auto back = DecodeMetaHeader(h);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, spec);

  ChecksumSpec crc32{ChecksumType::kCrc32, 1024};
  EncodeMetaHeader(crc32, h);
  EXPECT_EQ(h[2], 1);
  EXPECT_EQ(*DecodeMetaHeader(h), crc32);
  EXPECT_EQ(MetaFileSize(crc32, 0), 7u);
  EXPECT_EQ(MetaFileSize(crc32, 1), 11u);
  EXPECT_EQ(MetaFileSize(crc32, 2048), 15u);
  EXPECT_EQ(MetaFileSize(crc32, 2049), 19u);
}

TEST(MetaFileTest, BadHeadersAreCorruption) {
  uint8_t h[kMetaHeaderSize] = {0x00, 0x02, 0x02, 0x00, 0x00, 0x02, 0x00};  // version 2
  EXPECT_EQ(DecodeMetaHeader(h).status().code(), ErrorCode::kCorruption);
  uint8_t t[kMetaHeaderSize] = {0x00, 0x01, 0x07, 0x00, 0x00, 0x02, 0x00};  // type 7
  EXPECT_EQ(DecodeMetaHeader(t).status().code(), ErrorCode::kCorruption);
  uint8_t z[kMetaHeaderSize] = {0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00};  // 0 bytes per checksum
  EXPECT_EQ(DecodeMetaHeader(z).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeMetaHeader(std::span<const uint8_t>(h, 3)).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ((ChecksumSpec{ChecksumType::kNull, 512}).Validate().code(), ErrorCode::kUnimplemented);
}

TEST(BlockLayoutTest, NamesAndSubdirs) {
  uint64_t id = 1073741825 + (3 << 16) + (5 << 8);
  EXPECT_EQ(BlockFileName(id), "blk_" + std::to_string(id));
  EXPECT_EQ(MetaFileName(id, 1001), "blk_" + std::to_string(id) + "_1001.meta");
  EXPECT_EQ(FinalizedDir("/d", id), "/d/current/finalized/subdir3/subdir5");
  uint64_t parsed = 0, gs = 0;
  EXPECT_TRUE(ParseBlockFileName("blk_42", &parsed));
  EXPECT_EQ(parsed, 42u);
  EXPECT_FALSE(ParseBlockFileName("blk_42.meta", &parsed));
  EXPECT_FALSE(ParseBlockFileName("blk_", &parsed));
  EXPECT_TRUE(ParseMetaFileName("blk_42_7.meta", &parsed, &gs));
  EXPECT_EQ(parsed, 42u);
  EXPECT_EQ(gs, 7u);
  EXPECT_FALSE(ParseMetaFileName("blk_42.meta", &parsed, &gs));
  // Legacy negative ids print and parse as Java longs.
  uint64_t negative = static_cast<uint64_t>(-5);
  EXPECT_EQ(BlockFileName(negative), "blk_-5");
  EXPECT_TRUE(ParseMetaFileName("blk_-5_3.meta", &parsed, &gs));
  EXPECT_EQ(parsed, negative);
}

TEST(StorageVersionTest, RoundTrip) {
  std::string dir = cairn::testing::MakeTempDir("version");
  StorageVersion v{"DS-" + NewUuid(), NewUuid(), "CID-1", "BP-7", 0, -57};
  ASSERT_TRUE(WriteStorageVersion(dir + "/VERSION", v).ok());
  auto back = ReadStorageVersion(dir + "/VERSION");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->storage_id, v.storage_id);
  EXPECT_EQ((*back)->datanode_uuid, v.datanode_uuid);
  EXPECT_EQ((*back)->cluster_id, "CID-1");
  EXPECT_EQ((*back)->block_pool_id, "BP-7");
  auto missing = ReadStorageVersion(dir + "/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_NE(NewUuid(), NewUuid());
  EXPECT_EQ(NewUuid().size(), 36u);
  cairn::testing::RemoveTree(dir);
}

// Helpers for the plan tests: big-endian CRCs of a byte range in 512-byte chunks.
std::vector<uint8_t> Crcs(const ChecksumSpec& spec, const std::string& data) {
  std::vector<uint8_t> out(ChunkCount(data.size(), spec.bytes_per_checksum) * 4);
  ComputeChunkChecksums(spec.type, spec.bytes_per_checksum,
                        {reinterpret_cast<const uint8_t*>(data.data()), data.size()}, out.data());
  return out;
}
std::span<const uint8_t> S(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(PacketPlanTest, AlignedPacketKeepsClientCrcs) {
  ChecksumSpec spec;
  std::string data = cairn::testing::RandomBytes(1300, 1);
  auto sums = Crcs(spec, data);
  std::vector<uint8_t> buf;
  auto w = PlanPacketWrite(spec, 0, 0, spec, 0, S(data), sums, &buf);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->offset, 0u);
  EXPECT_EQ(w->data.size(), 1300u);
  EXPECT_EQ(w->first_chunk, 0u);
  ASSERT_EQ(w->crcs.size(), sums.size());
  EXPECT_TRUE(std::equal(sums.begin(), sums.end(), w->crcs.begin()));
  EXPECT_EQ(w->last_crc, LoadBigEndian32(sums.data() + 8));
}

TEST(PacketPlanTest, AppendToPartialChunkContinuesStoredCrc) {
  ChecksumSpec spec;
  std::string old_bytes = cairn::testing::RandomBytes(700, 2), more = cairn::testing::RandomBytes(324 + 600, 3);
  std::string whole = old_bytes + more;
  uint32_t partial_crc = spec.Crc(S(old_bytes).data() + 512, 188);
  // The client's first packet covers only the new bytes of the partial chunk.
  std::string first = more.substr(0, 324);
  auto sums = Crcs(spec, first);
  std::vector<uint8_t> buf;
  auto w = PlanPacketWrite(spec, 700, partial_crc, spec, 700, S(first), sums, &buf);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->first_chunk, 1u);
  ASSERT_EQ(w->crcs.size(), 4u);
  auto want = Crcs(spec, whole.substr(0, 1024));
  EXPECT_EQ(LoadBigEndian32(w->crcs.data()), LoadBigEndian32(want.data() + 4));
}

TEST(PacketPlanTest, ResentBytesAreSkippedAndGapsRefused) {
  ChecksumSpec spec;
  std::string data = cairn::testing::RandomBytes(2048, 4);
  auto sums = Crcs(spec, data);
  std::vector<uint8_t> buf;
  // All already on disk: nothing to write.
  auto none = PlanPacketWrite(spec, 4096, 0, spec, 1024, S(data), sums, &buf);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->data.empty());
  // Overlap: bytes 0..1000 on disk, packet 0..2048: write 1000..2048, chunk 1 continues.
  uint32_t partial = spec.Crc(S(data).data() + 512, 488);
  auto w = PlanPacketWrite(spec, 1000, partial, spec, 0, S(data), sums, &buf);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->offset, 1000u);
  EXPECT_EQ(w->data.size(), 1048u);
  EXPECT_EQ(w->first_chunk, 1u);
  ASSERT_EQ(w->crcs.size(), 12u);
  EXPECT_TRUE(std::equal(w->crcs.begin(), w->crcs.end(), sums.begin() + 4));
  EXPECT_EQ(PlanPacketWrite(spec, 100, 0, spec, 512, S(data), sums, &buf).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(PacketPlanTest, DifferentClientChecksumIsTranslated) {
  ChecksumSpec disk{ChecksumType::kCrc32c, 512};
  ChecksumSpec client{ChecksumType::kCrc32, 1024};
  std::string data = cairn::testing::RandomBytes(1500, 5);
  auto client_sums = Crcs(client, data);
  std::vector<uint8_t> buf;
  auto w = PlanPacketWrite(disk, 0, 0, client, 0, S(data), client_sums, &buf);
  ASSERT_TRUE(w.ok());
  auto want = Crcs(disk, data);
  ASSERT_EQ(w->crcs.size(), want.size());
  EXPECT_TRUE(std::equal(want.begin(), want.end(), w->crcs.begin()));
}

}  // namespace
}  // namespace cairn::datanode
