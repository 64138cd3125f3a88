// `cairn admin decommission HOST:PORT`: every replica on the node is copied elsewhere before
// the node is marked DECOMMISSIONED, `admin report` shows the state (and progress while it
// runs), after which the node can be stopped without any block losing replication; a
// recommissioned node counts again.
#include <csignal>

#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;

TEST(DecommissionTest, EveryReplicaIsCopiedOffBeforeTheNodeIsLetGo) {
  MiniClusterOptions opts;
  opts.datanodes = 5;
  opts.racks = 2;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.dead_interval_ms = 2000;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 6; ++i) {
    files.emplace_back(fmt::format("/d/f{}", i), RandomBytes(3 * kBlock + 11 * i, 80 + i));
    ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
  }
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 30000);
  const std::string node = ReplicaHosts(*fs, files[0].first).at(0).at(0);
  const int index = cluster->DatanodeIndex(node);
  ASSERT_GE(index, 0);

  ASSERT_OK_AND_ASSIGN(auto bad, cluster->Cli({"admin", "decommission", "10.255.255.1:1"}));
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  ASSERT_OK_AND_ASSIGN(auto started, cluster->Cli({"admin", "decommission", node}));
  ASSERT_EQ(started.exit_code, 0) << started.out;
  ASSERT_OK_AND_ASSIGN(auto report, cluster->Cli({"admin", "report"}));
  const bool shown = report.out.find("DECOMMISSION_INPROGRESS") != std::string::npos ||
                     report.out.find("DECOMMISSIONED") != std::string::npos;
  EXPECT_TRUE(shown) << report.out;
  ASSERT_OK_AND_ASSIGN(auto waited, cluster->Cli({"admin", "decommission", "--wait", "60", node}));
  ASSERT_EQ(waited.exit_code, 0) << waited.out;
  ASSERT_OK_AND_ASSIGN(report, cluster->Cli({"admin", "report", "--json"}));
  EXPECT_NE(report.out.find("\"admin_state\":\"DECOMMISSIONED\""), std::string::npos) << report.out;

  // Three good replicas of every block without the node; then it can go.
  ASSERT_OK_AND_ASSIGN(auto fsck, fs->Fsck("/", true));
  for (const auto& f : fsck.files()) {
    for (const auto& b : f.blocks()) {
      int good = 0;
      for (const auto& r : b.replicas()) good += !r.corrupt() && !r.decommissioning() ? 1 : 0;
      EXPECT_GE(good, 3) << f.path() << " blk_" << b.block_id();
    }
  }
  ASSERT_OK(cluster->StopDatanode(index, SIGKILL));
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, node), 30000);
  ASSERT_OK_AND_ASSIGN(auto stats, fs->GetFsStats());
  EXPECT_EQ(stats.under_replicated, 0u);
  EXPECT_EQ(stats.missing_blocks, 0u);

  // Back in service: its copies count again and the extra ones are removed.
  ASSERT_OK(cluster->RestartDatanode(index));
  ASSERT_OK_AND_ASSIGN(auto again, cluster->Cli({"admin", "recommission", node}));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  ASSERT_OK_AND_ASSIGN(report, cluster->Cli({"admin", "report", "--json"}));
  EXPECT_EQ(report.out.find("DECOMMISSION"), std::string::npos) << report.out;
}

}  // namespace
}  // namespace cairn::fault
