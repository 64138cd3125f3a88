// Client behaviour when replicas or datanodes fail, on a real MiniCluster: corrupt replicas
// are skipped (and reported), every replica corrupt is an error naming the block and each
// node, dead datanodes are skipped on reads, excluded when setting up new blocks, a
// datanode dying under a write is recovered from (the pipeline goes on without it), and
// the whole pipeline dying fails the stream with an error that names a datanode.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "client/file_system.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

using cairn::testing::ReadRemoteFile;
using cairn::testing::WriteRemoteFile;

using cairn::testing::MiniCluster;
using cairn::testing::MiniClusterOptions;
using cairn::testing::RandomBytes;
namespace stdfs = std::filesystem;

constexpr uint64_t kBlock = 64 * 1024;

std::unique_ptr<MiniCluster> StartCluster() {
  MiniClusterOptions opts;
  opts.block_size = kBlock;
  auto c = MiniCluster::Start(opts);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}



// Index of the datanode serving `address` ("127.0.0.1:port").
int DatanodeIndex(const MiniCluster& c, const std::string& address) {
  for (int i = 0; i < c.num_datanodes(); ++i) {
    if (c.datanode_address(i) == address) return i;
  }
  return -1;
}

// Flips one byte in the middle of the replica file of `block_id` on datanode i.
bool CorruptReplica(const MiniCluster& c, int i, uint64_t block_id) {
  const std::string name = "blk_" + std::to_string(block_id);
  std::error_code ec;
  for (const auto& e : stdfs::recursive_directory_iterator(c.datanode_data_dir(i), ec)) {
    if (e.path().filename() != name) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    char ch = 0;
    f.get(ch);
    f.seekp(100);
    f.put(static_cast<char>(ch ^ 0x5a));
    return static_cast<bool>(f);
  }
  return false;
}

// complete() returns once the minimum replica is reported; wait until all `n` are listed.
std::vector<BlockLocation> LocationsOnceReplicated(FileSystem& fs, const std::string& path, size_t n) {
  std::vector<BlockLocation> locs;
  Status st = cairn::testing::WaitFor(
      [&] {
        auto got = fs.GetBlockLocations(path, 0, 1);
        if (!got.ok()) return false;
        locs = std::move(*got);
        return locs.size() == 1 && locs[0].hosts.size() == n;
      },
      10000, path + " listed with all replicas");
  EXPECT_TRUE(st.ok()) << st.ToString();
  return locs;
}

TEST(FailoverTest, CorruptReplicasAreSkippedAndAllCorruptIsAnError) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(10000, 1);
  ASSERT_OK(WriteRemoteFile(*fs, "/corrupt/two", data));
  ASSERT_OK(WriteRemoteFile(*fs, "/corrupt/all", data));

  // Two of three replicas corrupt: whichever order the namenode lists them in, the read
  // ends on the good one.
  auto two = LocationsOnceReplicated(*fs, "/corrupt/two", 3);
  ASSERT_EQ(two.size(), 1u);
  ASSERT_EQ(two[0].hosts.size(), 3u);
  for (int k = 0; k < 2; ++k) ASSERT_TRUE(CorruptReplica(*cluster, DatanodeIndex(*cluster, two[0].hosts[k]), two[0].block_id));
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/corrupt/two"));
  EXPECT_TRUE(back == data);

  // Every replica corrupt: the error names the block and all three nodes.
  auto all = LocationsOnceReplicated(*fs, "/corrupt/all", 3);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].hosts.size(), 3u);
  for (const auto& host : all[0].hosts) ASSERT_TRUE(CorruptReplica(*cluster, DatanodeIndex(*cluster, host), all[0].block_id));
  auto failed = ReadRemoteFile(*fs, "/corrupt/all");
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().code() == ErrorCode::kChecksumMismatch || failed.status().code() == ErrorCode::kIoError)
      << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("blk_" + std::to_string(all[0].block_id)), std::string::npos)
      << failed.status().ToString();
  for (const auto& host : all[0].hosts)
    EXPECT_NE(failed.status().message().find(host), std::string::npos) << failed.status().ToString();
}

TEST(FailoverTest, ReadsSkipADeadDatanodeAndNewBlocksAvoidIt) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(3 * kBlock + 17, 2);
  ASSERT_OK(WriteRemoteFile(*fs, "/dead/f", data));
  ASSERT_OK(cluster->StopDatanode(0, SIGKILL));
  // The namenode still believes the node alive (dead interval 30 s) and lists it.
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/dead/f"));
  EXPECT_TRUE(back == data);
  ASSERT_OK_AND_ASSIGN(auto in, fs->Open("/dead/f"));
  std::string buf(5000, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, in->PRead(kBlock - 100, buf.data(), buf.size()));
  EXPECT_TRUE(buf.substr(0, n) == data.substr(kBlock - 100, 5000));

  // A new file: pipelines that include the dead node fail to set up; the client abandons
  // the block and asks again without that node.
  const std::string more = RandomBytes(2 * kBlock + 1, 3);
  ASSERT_OK(WriteRemoteFile(*fs, "/dead/new", more));
  ASSERT_OK_AND_ASSIGN(std::string more_back, ReadRemoteFile(*fs, "/dead/new"));
  EXPECT_TRUE(more_back == more);
  ASSERT_OK_AND_ASSIGN(auto blocks, fs->GetBlockLocations("/dead/new", 0, more.size()));
  for (const auto& b : blocks) {
    for (const auto& h : b.hosts) EXPECT_NE(h, cluster->datanode_address(0));
  }
}

TEST(FailoverTest, ADatanodeDyingUnderAWriteIsRecoveredFrom) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto out, fs->Create("/dying/f"));
  const std::string data = RandomBytes(3 * kBlock, 4);
  ASSERT_OK(out->Write(data.data(), 1000));
  ASSERT_OK(out->Hflush());  // the pipeline of the first block is up, through all three nodes
  ASSERT_OK(cluster->StopDatanode(1, SIGKILL));
  for (size_t pos = 1000; pos < data.size(); pos += 5000) {
    ASSERT_OK(out->Write(data.data() + pos, std::min<size_t>(5000, data.size() - pos)));
    ASSERT_OK(out->Hflush());
  }
  ASSERT_OK(out->Close());
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/dying/f"));
  EXPECT_TRUE(back == data);
}

TEST(FailoverTest, EveryDatanodeOfThePipelineDyingFailsTheStreamNamingADatanode) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(auto out, fs->Create("/dying/all"));
  const std::string chunk = RandomBytes(kBlock / 2, 5);
  ASSERT_OK(out->Write(chunk.data(), 1000));
  ASSERT_OK(out->Hflush());
  for (int i = 0; i < 3; ++i) ASSERT_OK(cluster->StopDatanode(i, SIGKILL));
  Status st;
  for (int i = 0; i < 100 && st.ok(); ++i) {
    st = out->Write(chunk.data(), chunk.size() / 2);
    if (st.ok()) st = out->Hflush();
  }
  if (st.ok()) st = out->Close();
  ASSERT_FALSE(st.ok()) << "writing through a pipeline of dead nodes kept succeeding";
  EXPECT_NE(st.message().find("127.0.0.1:"), std::string::npos) << st.ToString();
  // The error is sticky.
  EXPECT_FALSE(out->Write("x", 1).ok());
}

}  // namespace
}  // namespace cairn::client
