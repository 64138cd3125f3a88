// ReadAheadInputStream over an in-memory stream: sequential reads return the exact bytes
// and stay ahead of the caller, seeks inside and outside the kept range, PRead, the
// window ramp-up for random readers, errors handed out after the good bytes before them,
// and a retry after a Seek. Plus FileSystem::Open with read-ahead on a real cluster.
#include "client/readahead_input_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

// An InputStream over a string. fail_at (when set) makes reads that reach it fail once
// per arm; every Read and Seek is counted.
class MemoryStream : public InputStream {
 public:
  explicit MemoryStream(std::string data) : data_(std::move(data)) {}

  Result<size_t> Read(void* buf, size_t n) override {
    std::lock_guard lock(mu_);
    ++reads_;
    if (fail_armed_ && pos_ <= fail_at_ && fail_at_ < pos_ + n) {
      if (pos_ == fail_at_) {
        fail_armed_ = false;
        return Unavailable("injected failure at {}", fail_at_);
      }
      n = fail_at_ - pos_;  // hand out the bytes before the failure first
    }
    n = std::min<size_t>(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    bytes_read_ += n;
    return n;
  }
  Result<size_t> PRead(uint64_t offset, void* buf, size_t n) override {
    std::lock_guard lock(mu_);
    ++preads_;
    if (offset >= data_.size()) return size_t{0};
    n = std::min<size_t>(n, data_.size() - offset);
    std::memcpy(buf, data_.data() + offset, n);
    return n;
  }
  Status Seek(uint64_t offset) override {
    std::lock_guard lock(mu_);
    ++seeks_;
    pos_ = offset;
    return Status::OK();
  }
  uint64_t Tell() const override {
    std::lock_guard lock(mu_);
    return pos_;
  }
  uint64_t Length() const override { return data_.size(); }
  Status Close() override { return Status::OK(); }

  void FailOnceAt(uint64_t offset) {
    std::lock_guard lock(mu_);
    fail_at_ = offset;
    fail_armed_ = true;
  }
  int seeks() const {
    std::lock_guard lock(mu_);
    return seeks_;
  }
  int preads() const {
    std::lock_guard lock(mu_);
    return preads_;
  }
  uint64_t bytes_read() const {
    std::lock_guard lock(mu_);
    return bytes_read_;
  }

 private:
  const std::string data_;
  mutable std::mutex mu_;
  uint64_t pos_ = 0;
  uint64_t fail_at_ = 0;
  bool fail_armed_ = false;
  int reads_ = 0, seeks_ = 0, preads_ = 0;
  uint64_t bytes_read_ = 0;
};

constexpr uint32_t kChunk = 64 * 1024;

std::string ReadAll(InputStream& in, size_t piece) {
  std::string out, buf(piece, '\0');
  for (;;) {
    auto n = in.Read(buf.data(), buf.size());
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

TEST(ReadAheadTest, SequentialReadsReturnTheExactBytesInAnyPieceSize) {
  const std::string data = cairn::testing::RandomBytes(10 * kChunk + 123, 1);
  for (size_t piece : {size_t{1000}, size_t{kChunk}, size_t{3 * kChunk + 7}}) {
    auto mem = std::make_unique<MemoryStream>(data);
    ReadAheadInputStream in(std::move(mem), 4 * kChunk, kChunk);
    EXPECT_EQ(in.Length(), data.size());
    EXPECT_EQ(ReadAll(in, piece), data) << "piece " << piece;
    EXPECT_EQ(in.Tell(), data.size());
    EXPECT_OK(in.Close());
  }
}

TEST(ReadAheadTest, FetchesAheadOfTheCallerUpToTheWindow) {
  const std::string data = cairn::testing::RandomBytes(64 * kChunk, 2);
  auto mem = std::make_unique<MemoryStream>(data);
  MemoryStream* raw = mem.get();
  ReadAheadInputStream in(std::move(mem), 8 * kChunk, kChunk);
  std::string buf(kChunk, '\0');
  // Reading whole chunks in order doubles what is kept ahead, up to 8 chunks.
  for (int i = 0; i < 6; ++i) ASSERT_EQ(*in.Read(buf.data(), buf.size()), kChunk);
  ASSERT_EVENTUALLY(raw->bytes_read() == 6ull * kChunk + 8 * kChunk, 10000);
}

TEST(ReadAheadTest, SeeksInsideTheKeptRangeReuseItAndOthersRestart) {
  const std::string data = cairn::testing::RandomBytes(32 * kChunk, 3);
  auto mem = std::make_unique<MemoryStream>(data);
  MemoryStream* raw = mem.get();
  ReadAheadInputStream in(std::move(mem), 4 * kChunk, kChunk);
  std::string buf(1000, '\0');
  ASSERT_EQ(*in.Read(buf.data(), 1000), 1000u);
  // Back a little (FUSE may deliver neighbouring reads out of order): no restart.
  ASSERT_OK(in.Seek(10));
  ASSERT_EQ(*in.Read(buf.data(), 1000), 1000u);
  EXPECT_EQ(buf, data.substr(10, 1000));
  EXPECT_EQ(raw->seeks(), 0);
  // Far ahead: the worker restarts there.
  ASSERT_OK(in.Seek(20 * kChunk + 5));
  ASSERT_EQ(*in.Read(buf.data(), 1000), 1000u);
  EXPECT_EQ(buf, data.substr(20 * kChunk + 5, 1000));
  EXPECT_GE(raw->seeks(), 1);
  // Far back: again.
  ASSERT_OK(in.Seek(3));
  ASSERT_EQ(*in.Read(buf.data(), 1000), 1000u);
  EXPECT_EQ(buf, data.substr(3, 1000));
  EXPECT_EQ(in.Seek(data.size() + 1).code(), ErrorCode::kInvalidArgument);
  ASSERT_OK(in.Seek(data.size()));
  EXPECT_EQ(*in.Read(buf.data(), 1000), 0u);
}

TEST(ReadAheadTest, RandomReadersDoNotFetchAWholeWindowPerJump) {
  const std::string data = cairn::testing::RandomBytes(256 * kChunk, 4);
  auto mem = std::make_unique<MemoryStream>(data);
  MemoryStream* raw = mem.get();
  ReadAheadInputStream in(std::move(mem), 64 * kChunk, kChunk);
  std::string buf(100, '\0');
  for (int i = 0; i < 8; ++i) {
    const uint64_t at = static_cast<uint64_t>((i * 37) % 250) * kChunk + 11;
    ASSERT_OK(in.Seek(at));
    ASSERT_EQ(*in.Read(buf.data(), buf.size()), buf.size());
    EXPECT_EQ(buf, data.substr(at, buf.size()));
  }
  // At most the chunk at the jump, the next one and one dropped in flight: far from
  // 8 windows of 64 chunks.
  ASSERT_OK(in.Close());
  EXPECT_LE(raw->bytes_read(), 24ull * kChunk);
}

TEST(ReadAheadTest, PReadServesBufferedRangesAndFallsThroughOtherwise) {
  const std::string data = cairn::testing::RandomBytes(16 * kChunk, 5);
  auto mem = std::make_unique<MemoryStream>(data);
  MemoryStream* raw = mem.get();
  ReadAheadInputStream in(std::move(mem), 4 * kChunk, kChunk);
  std::string buf(500, '\0');
  ASSERT_EQ(*in.Read(buf.data(), buf.size()), buf.size());
  ASSERT_EQ(*in.PRead(100, buf.data(), buf.size()), buf.size());
  EXPECT_EQ(buf, data.substr(100, 500));
  EXPECT_EQ(raw->preads(), 0);
  ASSERT_EQ(*in.PRead(15 * kChunk, buf.data(), buf.size()), buf.size());
  EXPECT_EQ(buf, data.substr(15 * kChunk, 500));
  EXPECT_EQ(raw->preads(), 1);
  EXPECT_EQ(in.Tell(), 500u);  // PRead leaves the position alone
}

TEST(ReadAheadTest, AnErrorComesAfterTheBytesBeforeItAndASeekRetries) {
  const std::string data = cairn::testing::RandomBytes(8 * kChunk, 6);
  auto mem = std::make_unique<MemoryStream>(data);
  MemoryStream* raw = mem.get();
  const uint64_t bad = 3 * kChunk + 100;
  raw->FailOnceAt(bad);
  ReadAheadInputStream in(std::move(mem), 4 * kChunk, kChunk);
  std::string got, buf(kChunk, '\0');
  Status error;
  for (;;) {
    auto n = in.Read(buf.data(), buf.size());
    if (!n.ok()) {
      error = n.status();
      break;
    }
    ASSERT_GT(*n, 0u) << "the stream ended instead of failing";
    got.append(buf.data(), *n);
  }
  EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(got, data.substr(0, bad));
  EXPECT_EQ(in.Tell(), bad);
  ASSERT_OK(in.Seek(bad - 1));
  EXPECT_EQ(ReadAll(in, kChunk), data.substr(bad - 1));
}

TEST(ReadAheadTest, FileSystemOpenWithReadAheadReadsAClusterFile) {
  auto cluster = cairn::testing::MiniCluster::Start({.datanodes = 1, .replication = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_OK_AND_ASSIGN(auto fs, (*cluster)->Connect());
  const std::string data = cairn::testing::RandomBytes(3 * 1024 * 1024 + 17, 7);  // several 1 MiB blocks
  ASSERT_OK(cairn::testing::WriteRemoteFile(*fs, "/ra", data));
  OpenOptions options;
  options.readahead_bytes = 2 << 20;
  options.readahead_chunk_bytes = 256 * 1024;
  ASSERT_OK_AND_ASSIGN(auto in, fs->Open("/ra", options));
  EXPECT_EQ(ReadAll(*in, 100 * 1000), data);
  ASSERT_OK(in->Seek(1000));
  std::string buf(5000, '\0');
  ASSERT_EQ(*in->Read(buf.data(), buf.size()), buf.size());
  EXPECT_EQ(buf, data.substr(1000, 5000));
}

}  // namespace
}  // namespace cairn::client
