// A datanode killed with SIGKILL: every file stays readable and byte-identical during the
// outage (before and after the namenode notices), the namenode declares the node dead after
// its heartbeat timeout and copies its blocks elsewhere until every block has its full
// replication again, and when the node comes back with its old replicas the extra copies
// are removed again.
#include <csignal>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;

TEST(DatanodeDeathTest, ReadsSurviveTheOutageAndReplicationComesBack) {
  MiniClusterOptions opts;
  opts.datanodes = 5;
  opts.racks = 2;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.dead_interval_ms = 2000;
  opts.namenode_flags = {"--namenode_replication_timeout_ms=10000"};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 8; ++i) {
    files.emplace_back(fmt::format("/data/f{}", i), RandomBytes(i * kBlock / 2 + 777 * i + 1, 100 + i));
    ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
  }
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 30000);

  // The victim holds a replica of the first block of the biggest file.
  const std::string victim = ReplicaHosts(*fs, files.back().first).at(0).at(0);
  const int v = cluster->DatanodeIndex(victim);
  ASSERT_GE(v, 0);
  ASSERT_OK(cluster->StopDatanode(v, SIGKILL));

  // During the outage, while the namenode still lists the dead node: every read works.
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
  // Declared dead (within the dead interval plus a few heartbeats) and re-replicated.
  const int64_t killed = MonotonicMillis();
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, victim), 60000);
  std::fprintf(stderr, "replication back to 3 without %s after %lld ms\n", victim.c_str(),
               static_cast<long long>(MonotonicMillis() - killed));
  ASSERT_OK_AND_ASSIGN(auto report, fs->GetDatanodeReport());
  for (const auto& dn : report) {
    if (dn.address == victim) {
      EXPECT_FALSE(dn.live);
    }
  }
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }

  // The node returns with its old replicas: those blocks have four copies on disk for a
  // moment, then the namenode deletes the extra ones, wherever they are.
  std::vector<uint64_t> blocks;
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(auto locations, fs->GetBlockLocations(path, 0, data.size()));
    for (const auto& b : locations) blocks.push_back(b.block_id);
  }
  auto copies_on_disk = [&](uint64_t id) {
    int n = 0;
    for (int i = 0; i < cluster->num_datanodes(); ++i) n += ReplicaFile(*cluster, i, id).empty() ? 0 : 1;
    return n;
  };
  int extra = 0;
  for (uint64_t id : blocks) extra += copies_on_disk(id) > 3 ? 1 : 0;
  EXPECT_GT(extra, 0) << "the dead node's disk should still hold its old replicas";
  ASSERT_OK(cluster->RestartDatanode(v));
  ASSERT_OK(cluster->WaitForLiveDatanodes(5));
  auto three_copies_each = [&] {
    for (uint64_t id : blocks)
      if (copies_on_disk(id) != 3) return false;
    return true;
  };
  ASSERT_EVENTUALLY(three_copies_each(), 60000);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  ASSERT_EVENTUALLY(fs->GetFsStats().ok() && fs->GetFsStats()->under_replicated == 0, 30000);
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
}

}  // namespace
}  // namespace cairn::fault
