// Integration tests of libcairn's streams on a real MiniCluster (namenode + 3 datanodes as
// processes): byte-identical round trips across chunk and block boundaries with replicas on
// distinct datanodes, seeks and positional reads, concurrent writers, the single-writer
// rule, hflush/hsync visibility and append.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "client/file_system.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/shared_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

using cairn::testing::MiniCluster;
using cairn::testing::MiniClusterOptions;
using cairn::testing::RandomBytes;

constexpr uint64_t kBlock = 64 * 1024;

class ReadWriteTest : public cairn::testing::SharedClusterSuite<ReadWriteTest> {
 public:
  static MiniClusterOptions ClusterOptions() {
    MiniClusterOptions opts;
    opts.block_size = kBlock;
    return opts;
  }

 protected:
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    auto fs = cluster_->Connect();
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    fs_ = std::move(fs).value();
  }

  Status WriteFile(FileSystem& fs, const std::string& path, const std::string& data, CreateOptions opts = {}) {
    ASSIGN_OR_RETURN(auto out, fs.Create(path, opts));
    // Uneven write sizes exercise packet filling across calls.
    size_t pos = 0, step = 1;
    while (pos < data.size()) {
      size_t n = std::min(step, data.size() - pos);
      RETURN_IF_ERROR(out->Write(data.data() + pos, n));
      pos += n;
      step = step * 3 + 7;
    }
    if (out->Tell() != data.size()) return Internal("Tell {} after writing {}", out->Tell(), data.size());
    return out->Close();
  }

  Result<std::string> ReadFile(FileSystem& fs, const std::string& path, size_t buffer = 7777) {
    ASSIGN_OR_RETURN(auto in, fs.Open(path));
    std::string out;
    std::vector<char> buf(buffer);
    for (;;) {
      ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
      if (n == 0) break;
      out.append(buf.data(), n);
    }
    if (out.size() != in->Length()) return Internal("read {} bytes of {}", out.size(), in->Length());
    return out;
  }

  // Replica locations come from the datanodes' block reports, which may trail the close of
  // the file by a moment: wait until every block has `replication` of them.
  void ExpectReplicas(const std::string& path, uint64_t size, size_t replication) {
    std::vector<BlockLocation> blocks;
    auto complete = [&] {
      auto got = fs_->GetBlockLocations(path, 0, size + 1);
      if (!got.ok()) return false;
      blocks = *got;
      for (const auto& b : blocks) {
        if (b.hosts.size() < replication) return false;
      }
      return true;
    };
    ASSERT_EVENTUALLY(complete(), 20000);
    ASSERT_EQ(blocks.size(), (size + kBlock - 1) / kBlock) << path;
    uint64_t offset = 0;
    for (const auto& b : blocks) {
      EXPECT_EQ(b.offset, offset);
      EXPECT_EQ(b.length, std::min(kBlock, size - offset));
      std::set<std::string> hosts(b.hosts.begin(), b.hosts.end());
      EXPECT_EQ(b.hosts.size(), replication) << path << " block at " << b.offset;
      EXPECT_EQ(hosts.size(), b.hosts.size()) << "two replicas on one datanode";
      offset += b.length;
    }
  }

  std::unique_ptr<FileSystem> fs_;
};


TEST_F(ReadWriteTest, RoundTripsAcrossChunkAndBlockBoundaries) {
  const uint64_t sizes[] = {0, 1, 511, 512, 513, kBlock - 1, kBlock, kBlock + 1, 3 * kBlock + 100};
  for (uint64_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string path = "/roundtrip/f" + std::to_string(size);
    const std::string data = RandomBytes(size, size + 1);
    ASSERT_OK(WriteFile(*fs_, path, data));
    ASSERT_OK_AND_ASSIGN(FileStatus st, fs_->Stat(path));
    EXPECT_EQ(st.length, size);
    EXPECT_EQ(st.replication, 3u);
    ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*fs_, path));
    EXPECT_TRUE(back == data) << "content differs";
    ASSERT_OK_AND_ASSIGN(std::string back_big, ReadFile(*fs_, path, 1 << 20));
    EXPECT_TRUE(back_big == data) << "content differs with big reads";
    ExpectReplicas(path, size, 3);
  }
}

TEST_F(ReadWriteTest, ReplicationTwoPutsTwoReplicasOnDistinctNodes) {
  CreateOptions opts;
  opts.replication = 2;
  const std::string data = RandomBytes(2 * kBlock + 5, 9);
  ASSERT_OK(WriteFile(*fs_, "/rep2/f", data, opts));
  ASSERT_OK_AND_ASSIGN(FileStatus st, fs_->Stat("/rep2/f"));
  EXPECT_EQ(st.replication, 2u);
  ExpectReplicas("/rep2/f", data.size(), 2);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*fs_, "/rep2/f"));
  EXPECT_TRUE(back == data);
}

TEST_F(ReadWriteTest, SeekAndPositionalReadsAtOddOffsets) {
  const std::string data = RandomBytes(5 * kBlock + 123, 11);
  ASSERT_OK(WriteFile(*fs_, "/seek/f", data));
  ASSERT_OK_AND_ASSIGN(auto in, fs_->Open("/seek/f"));
  EXPECT_EQ(in->Length(), data.size());
  const uint64_t offsets[] = {0, 1, 511, kBlock - 1, kBlock, 2 * kBlock + 333, data.size() - 1};
  for (uint64_t off : offsets) {
    SCOPED_TRACE("offset " + std::to_string(off));
    std::string buf(kBlock + 1000, '\0');
    ASSERT_OK_AND_ASSIGN(size_t n, in->PRead(off, buf.data(), buf.size()));
    const size_t want = std::min<size_t>(buf.size(), data.size() - off);
    ASSERT_EQ(n, want);
    EXPECT_TRUE(buf.substr(0, n) == data.substr(off, n));
    EXPECT_EQ(in->Tell(), 0u) << "PRead moved the position";
  }
  std::string buf(100, '\0');
  ASSERT_OK_AND_ASSIGN(size_t at_end, in->PRead(data.size(), buf.data(), buf.size()));
  EXPECT_EQ(at_end, 0u);

  // Seek + Read, forwards and backwards, including short forward skips inside a block.
  for (uint64_t off : {kBlock + 7, kBlock + 9000, uint64_t{3}, 4 * kBlock - 1, uint64_t{data.size() - 10}}) {
    SCOPED_TRACE("seek " + std::to_string(off));
    ASSERT_OK(in->Seek(off));
    EXPECT_EQ(in->Tell(), off);
    std::string got(3000, '\0');
    ASSERT_OK_AND_ASSIGN(size_t n, in->Read(got.data(), got.size()));
    ASSERT_EQ(n, std::min<size_t>(3000, data.size() - off));
    EXPECT_TRUE(got.substr(0, n) == data.substr(off, n));
    EXPECT_EQ(in->Tell(), off + n);
  }
  EXPECT_EQ(in->Seek(data.size() + 1).code(), ErrorCode::kInvalidArgument);
  ASSERT_OK(in->Seek(data.size()));
  ASSERT_OK_AND_ASSIGN(size_t eof, in->Read(buf.data(), buf.size()));
  EXPECT_EQ(eof, 0u);

  // Concurrent positional reads share the stream.
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k) {
        uint64_t off = (static_cast<uint64_t>(t) * 7919 + static_cast<uint64_t>(k) * 104729) % data.size();
        std::string b(20000, '\0');
        auto n = in->PRead(off, b.data(), b.size());
        if (!n.ok() || b.substr(0, *n) != data.substr(off, *n) || *n == 0) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(ReadWriteTest, ConcurrentWritersToDifferentFiles) {
  constexpr int kWriters = 4;
  std::vector<std::string> data;
  for (int i = 0; i < kWriters; ++i) data.push_back(RandomBytes(3 * kBlock + 1000 * i, 100 + i));
  std::vector<Status> results(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] { results[i] = WriteFile(*fs_, "/concurrent/f" + std::to_string(i), data[i]); });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kWriters; ++i) {
    ASSERT_OK(results[i]);
    ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*fs_, "/concurrent/f" + std::to_string(i)));
    EXPECT_TRUE(back == data[i]) << i;
  }
}

TEST_F(ReadWriteTest, SecondWriterIsRefusedWhileTheFirstHoldsTheLease) {
  ASSERT_OK_AND_ASSIGN(auto out, fs_->Create("/lease/f"));
  ASSERT_OK(out->Write("abc", 3));
  ASSERT_OK_AND_ASSIGN(auto other, cluster_->Connect());
  auto second = other->Create("/lease/f");
  EXPECT_EQ(second.status().code(), ErrorCode::kAlreadyBeingCreated) << second.status().ToString();
  CreateOptions overwrite;
  overwrite.overwrite = true;
  EXPECT_EQ(other->Create("/lease/f", overwrite).status().code(), ErrorCode::kAlreadyBeingCreated);
  EXPECT_EQ(other->Append("/lease/f").status().code(), ErrorCode::kAlreadyBeingCreated);
  ASSERT_OK(out->Close());
  ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*other, "/lease/f"));
  EXPECT_EQ(back, "abc");
}

TEST_F(ReadWriteTest, HflushMakesDataVisibleToNewReaders) {
  ASSERT_OK_AND_ASSIGN(auto out, fs_->Create("/hflush/f"));
  const std::string data = RandomBytes(2 * kBlock + 3000, 21);
  ASSERT_OK(out->Write(data.data(), 1000));
  ASSERT_OK(out->Hflush());
  ASSERT_OK_AND_ASSIGN(auto reader_fs, cluster_->Connect());
  {
    ASSERT_OK_AND_ASSIGN(std::string seen, ReadFile(*reader_fs, "/hflush/f"));
    EXPECT_TRUE(seen == data.substr(0, 1000)) << "saw " << seen.size() << " bytes";
  }
  // Continue mid-chunk, across a block boundary, and flush again.
  ASSERT_OK(out->Write(data.data() + 1000, kBlock + 500));
  ASSERT_OK(out->Hflush());
  {
    ASSERT_OK_AND_ASSIGN(std::string seen, ReadFile(*reader_fs, "/hflush/f"));
    EXPECT_TRUE(seen == data.substr(0, kBlock + 1500)) << "saw " << seen.size() << " bytes";
  }
  ASSERT_OK(out->Write(data.data() + kBlock + 1500, data.size() - kBlock - 1500));
  ASSERT_OK(out->Hsync());
  {
    ASSERT_OK_AND_ASSIGN(std::string seen, ReadFile(*reader_fs, "/hflush/f"));
    EXPECT_TRUE(seen == data) << "saw " << seen.size() << " bytes";
  }
  ASSERT_OK(out->Close());
  ASSERT_OK_AND_ASSIGN(std::string final_data, ReadFile(*reader_fs, "/hflush/f"));
  EXPECT_TRUE(final_data == data);
  ExpectReplicas("/hflush/f", data.size(), 3);
}

TEST_F(ReadWriteTest, AnIdleWriterKeepsItsPipelineWithHeartbeats) {
  ASSERT_OK_AND_ASSIGN(ClientOptions opts, cluster_->ClientOptionsFor());
  opts.socket_timeout_ms = 2000;  // heartbeat packets after each second of silence
  ASSERT_OK_AND_ASSIGN(auto fs, FileSystem::Connect(opts));
  ASSERT_OK_AND_ASSIGN(auto out, fs->Create("/idle/f"));
  ASSERT_OK(out->Write("first,", 6));
  ASSERT_OK(out->Hflush());
  // Stay idle across several heartbeat intervals: the datanodes ack the heartbeats and
  // the pipeline stays usable.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  ASSERT_OK(out->Write("second", 6));
  ASSERT_OK(out->Close());
  ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*fs_, "/idle/f"));
  EXPECT_EQ(back, "first,second");
}

TEST_F(ReadWriteTest, AppendContinuesPartialAndFullLastBlocks) {
  // Partial last block, ending mid-chunk.
  std::string data = RandomBytes(1000, 31);
  ASSERT_OK(WriteFile(*fs_, "/append/partial", data));
  for (int round = 0; round < 2; ++round) {
    std::string more = RandomBytes(round == 0 ? 70000 : 77, 32 + round);
    ASSERT_OK_AND_ASSIGN(auto out, fs_->Append("/append/partial"));
    EXPECT_EQ(out->Tell(), data.size());
    ASSERT_OK(out->Write(more.data(), more.size()));
    ASSERT_OK(out->Close());
    data += more;
    ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*fs_, "/append/partial"));
    EXPECT_TRUE(back == data) << "round " << round << ": " << back.size() << " vs " << data.size();
  }
  ExpectReplicas("/append/partial", data.size(), 3);

  // Last block exactly full: the append starts a new block.
  std::string full = RandomBytes(kBlock, 35);
  ASSERT_OK(WriteFile(*fs_, "/append/full", full));
  {
    ASSERT_OK_AND_ASSIGN(auto out, fs_->Append("/append/full"));
    ASSERT_OK(out->Write("tail", 4));
    ASSERT_OK(out->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::string back, ReadFile(*fs_, "/append/full"));
  EXPECT_TRUE(back == full + "tail");
  ExpectReplicas("/append/full", kBlock + 4, 3);

  // Empty file.
  ASSERT_OK(WriteFile(*fs_, "/append/empty", ""));
  {
    ASSERT_OK_AND_ASSIGN(auto out, fs_->Append("/append/empty"));
    ASSERT_OK(out->Write("hello", 5));
    ASSERT_OK(out->Close());
  }
  ASSERT_OK_AND_ASSIGN(std::string hello, ReadFile(*fs_, "/append/empty"));
  EXPECT_EQ(hello, "hello");
}

TEST_F(ReadWriteTest, ClearErrorsForBadRequests) {
  EXPECT_EQ(fs_->Open("/no/such/file").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs_->Stat("/no/such/file").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs_->Open("relative").status().code(), ErrorCode::kInvalidArgument);
  ASSERT_OK(fs_->Mkdirs("/errors/dir"));
  EXPECT_FALSE(fs_->Open("/errors/dir").ok());
  ASSERT_OK(WriteFile(*fs_, "/errors/f", "x"));
  EXPECT_EQ(fs_->Create("/errors/f").status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(fs_->Create("/errors/dir").status().code(), ErrorCode::kAlreadyExists);
  CreateOptions no_parent;
  no_parent.create_parent = false;
  EXPECT_EQ(fs_->Create("/errors/missing/f", no_parent).status().code(), ErrorCode::kNotFound);
  CreateOptions bad_block;
  bad_block.block_size = 1000;  // not a multiple of the 512-byte chunk
  EXPECT_EQ(fs_->Create("/errors/g", bad_block).status().code(), ErrorCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(bool deleted, fs_->Delete("/errors/nothing", false));
  EXPECT_FALSE(deleted);
  EXPECT_EQ(fs_->Delete("/errors", false).status().code(), ErrorCode::kDirectoryNotEmpty);
}

}  // namespace
}  // namespace cairn::client
