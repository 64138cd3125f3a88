// A data directory of a datanode fails (its disk "dies": the directory is no longer
// usable). The datanode takes that volume out of service and reports it (admin report
// shows the failed volume), keeps serving and writing on its other volumes, clients never
// see an error, and the replicas that were on the failed volume are re-replicated.
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;

TEST(VolumeFailureTest, AFailedDirectoryIsTakenOutAndWritesGoElsewhere) {
  MiniClusterOptions opts;
  opts.datanodes = 3;
  opts.data_dirs_per_datanode = 2;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.datanode_flags = {"--datanode_volume_check_interval_ms=200"};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 6; ++i) {
    files.emplace_back(fmt::format("/v/f{}", i), RandomBytes(2 * kBlock + 100 * i, 60 + i));
    ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
  }
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 30000);

  // Datanode 0's second disk dies.
  const std::string dir = cluster->datanode_data_dirs(0).at(1);
  const std::string current = dir + "/current";  // the volume's layout root (datanode/store/block_layout.h)
  std::filesystem::rename(current, current + ".dead");
  ASSERT_OK(WriteLocalFile(current, "this disk is gone"));

  // Writes never notice; reads neither.
  for (int i = 0; i < 6; ++i) {
    files.emplace_back(fmt::format("/v/g{}", i), RandomBytes(kBlock + 7 * i, 70 + i));
    ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
  }
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
  // The failure is reported and visible to the administrator.
  const std::string address = cluster->datanode_address(0);
  ASSERT_EVENTUALLY([&] {
    auto report = fs->GetDatanodeReport();
    if (!report.ok()) return false;
    for (const auto& dn : *report)
      if (dn.address == address) return dn.live && dn.failed_volumes == 1;
    return false;
  }(), 30000);
  ASSERT_OK_AND_ASSIGN(auto cli, cluster->Cli({"admin", "report"}));
  EXPECT_NE(cli.out.find("Failed volumes: 1"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find(dir), std::string::npos) << cli.out;
  // What the dead disk held is copied again; the node keeps its other volume in service.
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  ASSERT_OK_AND_ASSIGN(auto report, fs->GetDatanodeReport());
  for (const auto& dn : report) {
    if (dn.address == address) {
      EXPECT_GT(dn.blocks, 0u);
    }
  }
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    ASSERT_EQ(back, data) << path;
  }
}

}  // namespace
}  // namespace cairn::fault
