// A writer process killed with SIGKILL in the middle of a file leaves it open with its last
// block being written. `cairn recoverlease` (recoverLease) or, with nobody asking, the
// lease's hard limit makes the namenode recover the block through a datanode (block
// recovery: new stamp, a length every replica has) and close the file; every byte the
// writer saw acknowledged (hflush returned) is in it, and the rest of it is the writer's data.
#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 256 * 1024;
constexpr uint64_t kSeed = 31;

// The highest "acked N" line the writer printed.
uint64_t AckedBytes(const std::string& log) {
  std::ifstream in(log);
  std::string line;
  uint64_t acked = 0;
  while (std::getline(in, line)) {
    if (line.rfind("acked ", 0) == 0) acked = std::max<uint64_t>(acked, std::stoull(line.substr(6)));
  }
  return acked;
}

// Starts cairn-fault-writer on `path` and kills it once it has `kill_after` bytes
// acknowledged (mid-block). Returns the acknowledged byte count.
Result<uint64_t> WriteAndKill(const MiniCluster& c, const std::string& path, uint64_t kill_after) {
  const std::string log = c.dir() + "/writer" + std::to_string(std::hash<std::string>{}(path) % 1000) + ".log";
  ASSIGN_OR_RETURN(Subprocess writer,
                   Subprocess::Start({std::string(CAIRN_BIN_DIR) + "/cairn-fault-writer", "--namenode",
                                      c.namenode_address(), "--path", path, "--bytes", std::to_string(8 * kBlock),
                                      "--chunk", "10000", "--seed", std::to_string(kSeed), "--pause_ms", "2",
                                      "--block_size", std::to_string(kBlock)},
                                     log));
  RETURN_IF_ERROR(WaitFor([&] { return AckedBytes(log) >= kill_after; }, 60000, "the writer acknowledges bytes"));
  RETURN_IF_ERROR(writer.Signal(SIGKILL));
  RETURN_IF_ERROR(writer.Wait(10000).status());
  return AckedBytes(log);
}

// The recovered file holds every acknowledged byte, and nothing but the writer's data.
void ExpectRecovered(client::FileSystem& fs, const std::string& path, uint64_t acked) {
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(fs, path));
  EXPECT_GE(back.size(), acked);
  const std::string expected = RandomBytes(back.size(), kSeed);
  EXPECT_TRUE(back == expected) << "recovered content differs from what the writer wrote";
  std::fprintf(stderr, "%s: %llu bytes acknowledged, %zu bytes after recovery\n", path.c_str(),
               static_cast<unsigned long long>(acked), back.size());
}

MiniClusterOptions Options(std::vector<std::string> namenode_flags, int dead_interval_ms = 30000) {
  MiniClusterOptions opts;
  opts.datanodes = 3;
  opts.dead_interval_ms = dead_interval_ms;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.namenode_flags = std::move(namenode_flags);
  opts.namenode_flags.push_back("--namenode_block_recovery_timeout_ms=5000");
  return opts;
}

bool UnderConstruction(client::FileSystem& fs, const std::string& path) {
  auto report = fs.Fsck(path, false);
  return !report.ok() || report->files_size() != 1 || report->files(0).under_construction();
}

TEST(WriterDeathTest, RecoverLeaseClosesTheFileWithEveryAcknowledgedByte) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(Options({})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(uint64_t acked, WriteAndKill(*cluster, "/w/recover", 2 * kBlock + 70000));
  EXPECT_TRUE(UnderConstruction(*fs, "/w/recover"));
  // Another client cannot take the file over while the dead writer's lease is young.
  EXPECT_EQ(fs->Append("/w/recover").status().code(), ErrorCode::kAlreadyBeingCreated);

  ASSERT_OK_AND_ASSIGN(auto cli, cluster->Cli({"recoverlease", "--wait", "60", "/w/recover"}));
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("lease recovered"), std::string::npos) << cli.out;
  EXPECT_FALSE(UnderConstruction(*fs, "/w/recover"));
  ExpectRecovered(*fs, "/w/recover", acked);
  ASSERT_EVENTUALLY(FullyReplicated(*fs, 3), 60000);
  // The file is an ordinary closed file again: appendable.
  ASSERT_OK_AND_ASSIGN(auto out, fs->Append("/w/recover"));
  ASSERT_OK(out->Write("tail", 4));
  ASSERT_OK(out->Close());
}

TEST(WriterDeathTest, TheHardLimitRecoversTheFileWithoutBeingAsked) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(Options({"--namenode_lease_soft_limit_ms=500",
                                                                 "--namenode_lease_hard_limit_ms=2000"})));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(uint64_t acked, WriteAndKill(*cluster, "/w/hard", kBlock + 5000));
  ASSERT_EVENTUALLY(!UnderConstruction(*fs, "/w/hard"), 60000);
  ExpectRecovered(*fs, "/w/hard", acked);
  ASSERT_OK_AND_ASSIGN(std::string log, ReadLocalFile(cluster->namenode_log()));
  EXPECT_NE(log.find("passed its hard limit"), std::string::npos);
  // A block recovery was sent (the file then closes by its commit, or by the finalized
  // replicas' reports when those arrive first), or, when the writer died right after a
  // block's last packet and before asking for the next block, the finalized replicas
  // already agreed and the file closed on them.
  EXPECT_TRUE(log.find("goes to recovery") != std::string::npos ||
              log.find("closing without a block recovery") != std::string::npos);
}

TEST(WriterDeathTest, ADatanodeOfTheLastBlockIsDeadToo) {
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(Options({}, /*dead_interval_ms=*/2000)));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  ASSERT_OK_AND_ASSIGN(uint64_t acked, WriteAndKill(*cluster, "/w/both", kBlock / 2));
  ASSERT_OK_AND_ASSIGN(auto blocks, fs->GetBlockLocations("/w/both", 0, 1ull << 40));
  ASSERT_FALSE(blocks.empty());
  const int dead = cluster->DatanodeIndex(blocks.back().hosts.at(0));
  ASSERT_GE(dead, 0);
  ASSERT_OK(cluster->StopDatanode(dead, SIGKILL));
  ASSERT_OK(cluster->WaitForLiveDatanodes(2));
  ASSERT_EVENTUALLY([&] {
    auto report = fs->GetDatanodeReport();
    if (!report.ok()) return false;
    int live = 0;
    for (const auto& d : *report) live += d.live ? 1 : 0;
    return live == 2;
  }(), 30000);
  ASSERT_OK_AND_ASSIGN(auto cli, cluster->Cli({"recoverlease", "--wait", "60", "/w/both"}));
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  ExpectRecovered(*fs, "/w/both", acked);
}

}  // namespace
}  // namespace cairn::fault
