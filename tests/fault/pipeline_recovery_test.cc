// Write-pipeline recovery with real processes: a datanode of the pipeline is killed in the
// middle of a multi-block write. The writer never sees an error, the file is byte-identical
// afterwards (every acknowledged byte is in it), the block gets a new generation stamp and,
// depending on the policy, a replacement node that received a copy of the partial replica;
// when the killed node comes back, its replica with the old stamp is discarded.
#include <csignal>

#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 256 * 1024;

std::unique_ptr<MiniCluster> Cluster(int datanodes) {
  MiniClusterOptions opts;
  opts.datanodes = datanodes;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.dead_interval_ms = 3000;
  auto c = MiniCluster::Start(opts);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

Result<std::unique_ptr<client::FileSystem>> Client(const MiniCluster& c, const std::string& policy) {
  client::ClientOptions o;
  o.namenode = c.namenode_address();
  o.replace_datanode_on_failure = policy;
  o.socket_timeout_ms = 10000;
  return client::FileSystem::Connect(o);
}

struct Outcome {
  uint64_t block_id = 0;        // the block being written when the node died
  uint64_t old_stamp = 0;
  std::string killed;           // its address
  int killed_index = -1;
  std::vector<std::string> pipeline;  // nodes of that block once the file is closed
};

// Writes `data` in 16 KiB writes with an hflush every 64 KiB; once `kill_at` bytes are
// written, kills one node (the namenode's `which`-th listed holder) of the block being
// written. (Where it sits in the pipeline is up to chance: all nodes share one address.)
Outcome WriteThroughAKill(MiniCluster& c, client::FileSystem& fs, const std::string& path, const std::string& data,
                          uint64_t kill_at, int which) {
  Outcome o;
  auto out = fs.Create(path);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return o;
  constexpr size_t kWrite = 16 * 1024;
  for (size_t pos = 0; pos < data.size(); pos += kWrite) {
    const size_t n = std::min(kWrite, data.size() - pos);
    Status st = (*out)->Write(data.data() + pos, n);
    if (st.ok() && (pos + n) % (64 * 1024) == 0) st = (*out)->Hflush();
    EXPECT_TRUE(st.ok()) << "write at " << pos << ": " << st.ToString();
    if (!st.ok()) return o;
    if (o.killed.empty() && pos + n >= kill_at) {
      auto locations = fs.GetBlockLocations(path, 0, 1ull << 40);
      EXPECT_TRUE(locations.ok() && !locations->empty());
      if (!locations.ok() || locations->empty()) return o;
      const auto& last = locations->back();
      o.block_id = last.block_id;
      o.old_stamp = last.gen_stamp;
      o.killed = last.hosts.at(which % last.hosts.size());
      o.killed_index = c.DatanodeIndex(o.killed);
      EXPECT_OK(c.StopDatanode(o.killed_index, SIGKILL));
    }
  }
  EXPECT_OK((*out)->Close());
  auto locations = fs.GetBlockLocations(path, 0, 1ull << 40);
  if (locations.ok()) {
    for (const auto& b : *locations)
      if (b.block_id == o.block_id) o.pipeline = b.hosts;
  }
  return o;
}

TEST(PipelineRecoveryTest, AKilledNodeIsReplacedAndItsStaleReplicaDiscarded) {
  auto cluster = Cluster(4);
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, Client(*cluster, "always"));
  const std::string data = RandomBytes(5 * kBlock + 12345, 21);
  Outcome o = WriteThroughAKill(*cluster, *fs, "/p/middle", data, 2 * kBlock + 100 * 1024, 1);
  ASSERT_FALSE(o.killed.empty());
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/p/middle"));
  ASSERT_EQ(back, data);
  // The recovered block has a newer stamp and three nodes, none of them the dead one.
  ASSERT_OK_AND_ASSIGN(auto blocks, fs->GetBlockLocations("/p/middle", 0, data.size()));
  for (const auto& b : blocks) {
    if (b.block_id != o.block_id) continue;
    EXPECT_GT(b.gen_stamp, o.old_stamp);
  }
  EXPECT_EQ(o.pipeline.size(), 3u);
  for (const auto& h : o.pipeline) EXPECT_NE(h, o.killed);

  // The dead node comes back with a replica of the old stamp: it is deleted as stale.
  ASSERT_FALSE(ReplicaStamps(*cluster, o.killed_index, o.block_id).empty());
  ASSERT_OK(cluster->RestartDatanode(o.killed_index));
  ASSERT_EVENTUALLY([&] {
    for (uint64_t gs : ReplicaStamps(*cluster, o.killed_index, o.block_id))
      if (gs <= o.old_stamp) return false;
    return true;
  }(), 60000);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*fs, "/p/middle"));
  EXPECT_EQ(back, data);
}

TEST(PipelineRecoveryTest, WithoutReplacementTheWriteGoesOnWithTheSurvivors) {
  auto cluster = Cluster(3);
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, Client(*cluster, "never"));
  const std::string data = RandomBytes(4 * kBlock + 999, 22);
  Outcome o = WriteThroughAKill(*cluster, *fs, "/p/first", data, kBlock + 50 * 1024, 0);
  ASSERT_FALSE(o.killed.empty());
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/p/first"));
  ASSERT_EQ(back, data);
  // Only two nodes are left for the rest of the file: the recovered block has both.
  EXPECT_EQ(o.pipeline.size(), 2u);
  for (const auto& h : o.pipeline) EXPECT_NE(h, o.killed);
  // Back to three replicas once the node returns (the namenode re-replicates).
  ASSERT_OK(cluster->RestartDatanode(o.killed_index));
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  ASSERT_OK_AND_ASSIGN(back, ReadRemoteFile(*fs, "/p/first"));
  EXPECT_EQ(back, data);
}

TEST(PipelineRecoveryTest, ANodeDiesJustBeforeTheBlockEnds) {
  auto cluster = Cluster(4);
  ASSERT_NE(cluster, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, Client(*cluster, "default"));
  // The kill comes one write before the block fills up: the last data packets or the
  // end-of-block packet meet the failure (streaming or close recovery).
  const std::string data = RandomBytes(2 * kBlock, 23);
  Outcome o = WriteThroughAKill(*cluster, *fs, "/p/close", data, kBlock - 16 * 1024, 2);
  ASSERT_FALSE(o.killed.empty());
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/p/close"));
  ASSERT_EQ(back, data);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, o.killed), 60000);
}

}  // namespace
}  // namespace cairn::fault
