#include "common/checksum.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/endian.h"

namespace cairn {
namespace {

TEST(ChecksumTest, KnownVectors) {
  const std::string check = "123456789";
  EXPECT_EQ(Crc32c(check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(Crc32(check.data(), check.size()), 0xCBF43926u);
  EXPECT_EQ(Crc32c(nullptr, 0), 0u);
}

TEST(ChecksumTest, Chaining) {
  const std::string s = "hello, distributed world";
  uint32_t whole = Crc32c(s.data(), s.size());
  uint32_t part = Crc32c(s.data() + 7, s.size() - 7, Crc32c(s.data(), 7));
  EXPECT_EQ(whole, part);
  EXPECT_EQ(Crc32(s.data(), s.size()), Crc32(s.data() + 3, s.size() - 3, Crc32(s.data(), 3)));
}

TEST(ChecksumTest, ChunksComputeAndVerify) {
  std::vector<uint8_t> data(512 * 3 + 17);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
  for (auto type : {ChecksumType::kCrc32, ChecksumType::kCrc32c}) {
    std::vector<uint8_t> sums(ChunkCount(data.size(), 512) * 4);
    ASSERT_EQ(sums.size(), 16u);
    ComputeChunkChecksums(type, 512, data, sums.data());
    uint32_t first = type == ChecksumType::kCrc32c ? Crc32c(data.data(), 512) : Crc32(data.data(), 512);
    EXPECT_EQ(LoadBigEndian32(sums.data()), first);
    EXPECT_TRUE(VerifyChunkChecksums(type, 512, data, sums.data(), 0).ok());
    data[1030] ^= 0x40;  // in the third chunk
    Status st = VerifyChunkChecksums(type, 512, data, sums.data(), 4096);
    EXPECT_EQ(st.code(), ErrorCode::kChecksumMismatch);
    EXPECT_NE(st.message().find("offset 5120"), std::string::npos) << st.message();
    data[1030] ^= 0x40;
  }
}

TEST(ChecksumTest, TypeFromInt) {
  EXPECT_EQ(*ChecksumTypeFromInt(2), ChecksumType::kCrc32c);
  EXPECT_FALSE(ChecksumTypeFromInt(7).ok());
}

}  // namespace
}  // namespace cairn
