// Bytes flipped in a replica's block file on disk. Whoever finds it (a reader verifying
// checksums, or the datanode's block scanner on its own), the data readers get stays
// correct, the damaged replica is reported to the namenode, never handed out again, and
// replaced from a good one: the block is back to three good replicas and the damaged file
// is gone (or rewritten with good data).
#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;

MiniClusterOptions Options(std::vector<std::string> datanode_flags) {
  MiniClusterOptions opts;
  opts.datanodes = 4;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.dead_interval_ms = 10000;
  opts.datanode_flags = std::move(datanode_flags);
  return opts;
}

// The damaged copy no longer exists as such: deleted, or replaced by a good copy.
bool DamageGone(const MiniCluster& c, int node, uint64_t block_id, const std::string& good_block) {
  const std::string path = ReplicaFile(c, node, block_id);
  if (path.empty()) return true;
  auto now = ReadLocalFile(path);
  return now.ok() && *now == good_block;
}

TEST(CorruptionTest, AReaderFindsItAndTheReplicaIsReplaced) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(Options({})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(3 * kBlock + 100, 11);
  ASSERT_OK(WriteRemoteFile(*fs, "/c/read", data));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 30000);
  ASSERT_OK_AND_ASSIGN(auto blocks, fs->GetBlockLocations("/c/read", 0, data.size()));
  ASSERT_EQ(blocks.size(), 4u);
  // Damage the copy a reader tries first, in the second block.
  const auto& victim = blocks[1];
  const int node = cluster->DatanodeIndex(victim.hosts[0]);
  ASSERT_GE(node, 0);
  ASSERT_TRUE(CorruptReplicaFile(*cluster, node, victim.block_id, 1000, 3));

  // Readers pick among equally near replicas at random: read until one of them has met the
  // damaged copy and reported it. Every read returns the right bytes.
  const std::string good = data.substr(kBlock, kBlock);
  // Reported: the namenode lists the copy as corrupt, or has already dropped it from the
  // block's replicas (it drops a replica only once it is reported), or it is gone.
  auto reported = [&] {
    if (DamageGone(*cluster, node, victim.block_id, good)) return true;
    auto report = fs->Fsck("/c/read", true);
    if (!report.ok()) return false;
    bool listed = false;
    for (const auto& r : report->files(0).blocks(1).replicas()) {
      if (r.datanode() != victim.hosts[0]) continue;
      if (r.corrupt()) return true;
      listed = true;
    }
    return !listed;
  };
  for (int round = 0; round < 60 && !reported(); ++round) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/c/read"));
    ASSERT_EQ(back, data);
  }
  ASSERT_TRUE(reported()) << "60 reads never met the damaged replica";
  // Replaced, and the damaged copy removed.
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3) && DamageGone(*cluster, node, victim.block_id, good), 60000);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/c/read"));
  EXPECT_EQ(back, data);
}

TEST(CorruptionTest, TheBlockScannerFindsItWithoutAnyRead) {
  ASSERT_OK_AND_ASSIGN(auto cluster,
                       MiniCluster::Start(Options({"--datanode_scan_bytes_per_sec=64MiB", "--datanode_scan_period_ms=300"})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(2 * kBlock, 12);
  ASSERT_OK(WriteRemoteFile(*fs, "/c/scan", data));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 30000);
  ASSERT_OK_AND_ASSIGN(auto blocks, fs->GetBlockLocations("/c/scan", 0, data.size()));
  const auto& victim = blocks[0];
  const int node = cluster->DatanodeIndex(victim.hosts[2]);
  ASSERT_GE(node, 0);
  ASSERT_TRUE(CorruptReplicaFile(*cluster, node, victim.block_id, kBlock - 10, 1));

  ASSERT_EVENTUALLY(DamageGone(*cluster, node, victim.block_id, data.substr(0, kBlock)), 60000);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  // It was the scanner: the datanode reported the replica itself.
  ASSERT_OK_AND_ASSIGN(std::string log, ReadLocalFile(cluster->datanode_log(node)));
  EXPECT_NE(log.find(fmt::format("reported corrupt replica blk_{}_", victim.block_id)), std::string::npos);
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/c/scan"));
  EXPECT_EQ(back, data);
}

TEST(CorruptionTest, EveryReplicaDamagedIsReportedAsCorruptNotServed) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(Options({})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  const std::string data = RandomBytes(kBlock / 2, 13);
  ASSERT_OK(WriteRemoteFile(*fs, "/c/all", data));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 30000);
  ASSERT_OK_AND_ASSIGN(auto blocks, fs->GetBlockLocations("/c/all", 0, data.size()));
  for (const auto& h : blocks[0].hosts)
    ASSERT_TRUE(CorruptReplicaFile(*cluster, cluster->DatanodeIndex(h), blocks[0].block_id, 10, 1));
  auto read = ReadRemoteFile(*fs, "/c/all");
  ASSERT_FALSE(read.ok()) << "damaged data was returned";
  EXPECT_EQ(read.status().code(), ErrorCode::kChecksumMismatch) << read.status().ToString();
  // fsck names the block corrupt and the file as such.
  ASSERT_EVENTUALLY(fs->Fsck("/c/all", true).ok() && fs->Fsck("/c/all", true)->corrupt_blocks() == 1, 30000);
  ASSERT_OK_AND_ASSIGN(auto cli, cluster->Cli({"fsck", "/c/all", "--json"}));
  EXPECT_EQ(cli.exit_code, 1) << cli.out;
  EXPECT_NE(cli.out.find("\"status\":\"CORRUPT\""), std::string::npos) << cli.out;
}

}  // namespace
}  // namespace cairn::fault
