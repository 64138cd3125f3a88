// Short-circuit reads of a replica's files: data verified against the .meta checksums.
#include "compute/runtime/local_block.h"

#include <gtest/gtest.h>

#include "common/checksum.h"
#include "common/endian.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

class LocalBlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("localblock");
    data_ = testing::RandomBytes(5000, 42);  // 9 full chunks and a partial one
    std::string meta(kMetaHeaderSize, '\0');
    EncodeMetaHeader(ChecksumSpec{}, reinterpret_cast<uint8_t*>(meta.data()));
    std::string crcs(ChunkCount(data_.size(), 512) * 4, '\0');
    ComputeChunkChecksums(ChecksumType::kCrc32c, 512, {reinterpret_cast<const uint8_t*>(data_.data()), data_.size()},
                          reinterpret_cast<uint8_t*>(crcs.data()));
    ASSERT_OK(testing::WriteLocalFile(dir_ + "/blk_1", data_));
    ASSERT_OK(testing::WriteLocalFile(dir_ + "/blk_1_1001.meta", meta + crcs));
  }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string dir_, data_;
};

TEST_F(LocalBlockTest, ReadsAndVerifies) {
  ASSERT_OK_AND_ASSIGN(auto block, LocalBlockFile::Open(dir_ + "/blk_1", dir_ + "/blk_1_1001.meta", data_.size()));
  std::string out(data_.size(), '\0');
  ASSERT_OK(block->ReadVerified(0, 4096, out.data()));
  ASSERT_OK(block->ReadVerified(4096, data_.size() - 4096, out.data() + 4096));
  EXPECT_EQ(out, data_);
  EXPECT_EQ(block->ReadVerified(100, 512, out.data()).code(), ErrorCode::kInvalidArgument);
}

TEST_F(LocalBlockTest, CorruptionIsDetected) {
  std::string bad = data_;
  bad[3000] ^= 0x40;
  ASSERT_OK(testing::WriteLocalFile(dir_ + "/blk_1", bad));
  ASSERT_OK_AND_ASSIGN(auto block, LocalBlockFile::Open(dir_ + "/blk_1", dir_ + "/blk_1_1001.meta", data_.size()));
  std::string out(data_.size(), '\0');
  ASSERT_OK(block->ReadVerified(0, 2560, out.data()));
  Status st = block->ReadVerified(2560, 2440, out.data());
  EXPECT_EQ(st.code(), ErrorCode::kChecksumMismatch);
  EXPECT_NE(st.message().find("offset 2560"), std::string::npos) << st.ToString();
}

TEST_F(LocalBlockTest, ShortFilesAreRefused) {
  EXPECT_EQ(LocalBlockFile::Open(dir_ + "/blk_1", dir_ + "/blk_1_1001.meta", data_.size() + 1).status().code(),
            ErrorCode::kCorruption);
  EXPECT_FALSE(LocalBlockFile::Open(dir_ + "/nope", dir_ + "/blk_1_1001.meta", 10).ok());
}

}  // namespace
}  // namespace cairn::compute
