// The namenode with real datanodes and clients (MiniCluster processes): blocks of a dead
// datanode are re-replicated elsewhere until fsck is healthy again, and a namenode killed
// with SIGKILL comes back in safe mode, leaves it once the datanodes report, and serves
// every file it had acknowledged; a truncate inside a block cuts every replica on disk.
#include <sys/stat.h>

#include <csignal>
#include <set>

#include <gtest/gtest.h>

#include "cairn/namenode.pb.h"
#include "client/file_system.h"
#include "tests/support/cluster_util.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::namenode {
namespace {

using cairn::testing::ReadRemoteFile;
using cairn::testing::WriteRemoteFile;

using cairn::testing::MiniCluster;
using cairn::testing::MiniClusterOptions;
using cairn::testing::RandomBytes;

constexpr uint64_t kBlock = 64 * 1024;



// Every block of every file has `replicas` healthy replicas, none on `avoid`.
bool FullyReplicated(client::FileSystem& fs, size_t replicas, const std::string& avoid) {
  auto report = fs.Fsck("/", /*include_blocks=*/true);
  if (!report.ok() || !report->healthy()) return false;
  for (const auto& f : report->files()) {
    for (const auto& b : f.blocks()) {
      if (b.health() != FsckBlock::HEALTHY || static_cast<size_t>(b.replicas_size()) != replicas) return false;
      for (const auto& r : b.replicas()) {
        if (r.datanode() == avoid || r.corrupt()) return false;
      }
    }
  }
  return true;
}

TEST(NamenodeClusterTest, DeadDatanodeBlocksAreReplicatedElsewhere) {
  MiniClusterOptions opts;
  opts.datanodes = 4;
  opts.racks = 2;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.dead_interval_ms = 1500;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(3 * kBlock + 1234, 7);
  ASSERT_OK(WriteRemoteFile(*fs, "/data/f", data));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, ""), 30000);

  // Kill a node that holds a replica of the first block.
  ASSERT_OK_AND_ASSIGN(auto locations, fs->GetBlockLocations("/data/f", 0, 1));
  ASSERT_FALSE(locations.empty());
  const std::string victim = locations[0].hosts[0];
  int victim_index = -1;
  for (int i = 0; i < cluster->num_datanodes(); ++i)
    if (cluster->datanode_address(i) == victim) victim_index = i;
  ASSERT_GE(victim_index, 0);
  ASSERT_OK(cluster->StopDatanode(victim_index, SIGKILL));

  // The namenode declares it dead and copies its blocks to the remaining nodes.
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, victim), 60000);
  ASSERT_OK_AND_ASSIGN(auto stats, fs->GetFsStats());
  EXPECT_EQ(stats.missing_blocks, 0u);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/data/f"));
  EXPECT_EQ(back, data);
}

TEST(NamenodeClusterTest, KilledNamenodeRestartsInSafeModeAndKeepsFiles) {
  MiniClusterOptions opts;
  opts.datanodes = 3;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  std::vector<std::pair<std::string, std::string>> files;
  {
    ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
    for (int i = 0; i < 5; ++i) {
      files.emplace_back(fmt::format("/keep/f{}", i), RandomBytes(kBlock * i + 100, i));
      ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
    }
    ASSERT_OK(fs->Mkdirs("/keep/empty-dir"));
  }
  ASSERT_OK(cluster->StopNamenode(SIGKILL));
  ASSERT_OK(cluster->RestartNamenode());
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  // Out of safe mode once the datanodes have re-registered and reported.
  ASSERT_EVENTUALLY(fs->Mkdirs("/after-restart").ok(), 60000);
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    EXPECT_EQ(back, data) << path;
  }
  ASSERT_OK_AND_ASSIGN(auto st, fs->Stat("/keep/empty-dir"));
  EXPECT_TRUE(st.is_dir);
}

TEST(NamenodeClusterTest, TruncateInsideABlockCutsEveryReplica) {
  MiniClusterOptions opts;
  opts.datanodes = 3;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(3 * kBlock + 500, 9);
  ASSERT_OK(WriteRemoteFile(*fs, "/cut/f", data));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, ""), 30000);
  ASSERT_OK_AND_ASSIGN(auto before, fs->GetBlockLocations("/cut/f", 0, data.size()));

  // Into the middle of the second block, not on a checksum chunk boundary.
  const uint64_t cut = kBlock + 1000 + 7;
  ASSERT_OK_AND_ASSIGN(bool done, fs->StartTruncate("/cut/f", cut));
  EXPECT_FALSE(done) << "a cut inside a block is finished by block recovery";
  ASSERT_EVENTUALLY(fs->IsFileClosed("/cut/f").ok() && *fs->IsFileClosed("/cut/f"), 30000);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/cut/f"));
  EXPECT_TRUE(back == data.substr(0, cut));

  // Every replica of the cut block is cut on disk, with a newer stamp.
  ASSERT_OK_AND_ASSIGN(auto after, fs->GetBlockLocations("/cut/f", 0, cut));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].block_id, before[1].block_id);
  EXPECT_GT(after[1].gen_stamp, before[1].gen_stamp);
  EXPECT_EQ(after[1].length, cut - kBlock);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, ""), 30000);
  for (const auto& host : after[1].hosts) {
    const std::string file = cairn::testing::ReplicaFile(*cluster, cluster->DatanodeIndex(host), after[1].block_id);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << host;
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), cut - kBlock) << host;
  }

  // The cut block takes appends (its last checksum covers the partial chunk), and the
  // blocking Truncate (what `cairn truncate` uses) cuts again.
  const std::string more = RandomBytes(kBlock / 2, 10);
  {
    ASSERT_OK_AND_ASSIGN(auto out, fs->Append("/cut/f"));
    ASSERT_OK(out->Write(more.data(), more.size()));
    ASSERT_OK(out->Close());
  }
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*fs, "/cut/f"));
  EXPECT_TRUE(back == data.substr(0, cut) + more);
  ASSERT_OK_AND_ASSIGN(auto cli, cluster->Cli({"truncate", "/cut/f", "333"}));
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*fs, "/cut/f"));
  EXPECT_TRUE(back == data.substr(0, 333));
}

}  // namespace
}  // namespace cairn::namenode
