// Hosts on a real (virtual) network: the namenode and every datanode in a network
// namespace of its own with its own address, racks given by address ranges. One datanode
// is cut off by taking its link down: the namenode notices the silence, declares it dead
// and copies its blocks elsewhere, keeping every block on two racks; reads never fail.
// When the link comes back the node registers again, reports its old replicas, and the
// extra copies are removed. Where network namespaces cannot be made the test says why and
// skips.
#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;

// Every block's good replicas span both racks.
bool OnTwoRacks(client::FileSystem& fs) {
  auto report = fs.Fsck("/", true);
  if (!report.ok()) return false;
  for (const auto& f : report->files()) {
    for (const auto& b : f.blocks()) {
      std::set<std::string> racks;
      for (const auto& r : b.replicas())
        if (!r.corrupt()) racks.insert(r.rack());
      if (racks.size() < 2) return false;
    }
  }
  return true;
}

TEST(NetworkPartitionTest, ACutOffDatanodeIsReplacedAndItsExtraCopiesGoWhenItReturns) {
  MiniClusterOptions opts;
  opts.network_namespaces = true;
  opts.datanodes = 5;
  opts.racks = 2;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 200;
  opts.dead_interval_ms = 3000;
  opts.datanode_flags = {"--datanode_namenode_rpc_timeout_ms=1000", "--datanode_socket_timeout_ms=5000"};
  auto started = MiniCluster::Start(opts);
  if (!started.ok() && (started.status().code() == ErrorCode::kPermissionDenied ||
                        started.status().code() == ErrorCode::kUnimplemented)) {
    GTEST_SKIP() << "network namespaces are not available here: " << started.status().ToString();
  }
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  auto cluster = std::move(started).value();
  client::ClientOptions co;
  co.namenode = cluster->namenode_address();
  co.socket_timeout_ms = 3000;  // a cut-off node is silence, not a refused connection
  ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(co));

  // Racks come from the address ranges.
  ASSERT_OK_AND_ASSIGN(auto nodes, fs->GetDatanodeReport());
  ASSERT_EQ(nodes.size(), 5u);
  for (const auto& dn : nodes) {
    const int i = cluster->DatanodeIndex(dn.address);
    ASSERT_GE(i, 0) << dn.address;
    EXPECT_EQ(dn.rack, fmt::format("/rack{}", i % 2)) << dn.address;
    EXPECT_NE(dn.address.rfind("10.", 0), std::string::npos) << dn.address;
  }

  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 6; ++i) {
    files.emplace_back(fmt::format("/net/f{}", i), RandomBytes(kBlock * (i % 3 + 1) + 333 * i, 50 + i));
    ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
  }
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3) && OnTwoRacks(*fs), 60000);

  // Cut off a node holding the first block of the first file.
  const std::string victim = ReplicaHosts(*fs, files[0].first).at(0).at(0);
  const int v = cluster->DatanodeIndex(victim);
  ASSERT_GE(v, 0);
  ASSERT_OK(cluster->CutOffDatanode(v));
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
  ASSERT_EVENTUALLY([&] {
    auto report = fs->GetDatanodeReport();
    if (!report.ok()) return false;
    for (const auto& dn : *report)
      if (dn.address == victim) return !dn.live;
    return false;
  }(), 30000);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3, victim) && OnTwoRacks(*fs), 60000);
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }

  // The link comes back: the node (which never stopped) registers and reports again; its
  // blocks are over-replicated until the extra copies are deleted.
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
  EXPECT_GT(extra, 0);
  ASSERT_OK(cluster->ReconnectDatanode(v));
  ASSERT_EVENTUALLY([&] {
    auto report = fs->GetDatanodeReport();
    if (!report.ok()) return false;
    for (const auto& dn : *report)
      if (dn.address == victim) return dn.live;
    return false;
  }(), 60000);
  ASSERT_EVENTUALLY([&] {
    for (uint64_t id : blocks)
      if (copies_on_disk(id) != 3) return false;
    return true;
  }(), 60000);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3) && OnTwoRacks(*fs), 60000);
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
}

}  // namespace
}  // namespace cairn::fault
