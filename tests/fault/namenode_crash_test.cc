// The namenode killed with SIGKILL in the middle of a stream of creates and renames, then
// restarted: every operation a client saw acknowledged is there, every completed file is
// byte-identical, and the namenode stays in safe mode (read-only, with a clear error for
// writes) until enough blocks are reported, then leaves it by itself.
#include <atomic>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 64 * 1024;

struct Op {
  bool created = false;  // /ops/f<i> written and closed
  bool renamed = false;  // then renamed to /ops/g<i>
  std::string data;
};

TEST(NamenodeCrashTest, AcknowledgedCreatesAndRenamesSurviveAKill) {
  MiniClusterOptions opts;
  opts.datanodes = 3;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  client::ClientOptions co;
  co.namenode = cluster->namenode_address();
  co.rpc_retry_ms = 60000;  // ride out the restart
  co.rpc_timeout_ms = 5000;
  ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(co));
  ASSERT_OK(fs->Mkdirs("/ops"));

  std::vector<Op> ops(400);
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread worker([&] {
    for (int i = 0; i < static_cast<int>(ops.size()) && !stop; ++i) {
      Op& op = ops[i];
      op.data = RandomBytes(static_cast<size_t>(i % 7) * kBlock / 3 + 1, 1000 + i);
      const std::string f = fmt::format("/ops/f{}", i), g = fmt::format("/ops/g{}", i);
      if (WriteRemoteFile(*fs, f, op.data).ok()) op.created = true;
      else ++failures;
      if (op.created) {
        if (fs->Rename(f, g).ok()) op.renamed = true;
        else ++failures;
      }
      next = i + 1;
    }
  });
  ASSERT_EVENTUALLY(next >= 40, 60000);
  ASSERT_OK(cluster->StopNamenode(SIGKILL));
  const int at_kill = next;
  ASSERT_OK(cluster->RestartNamenode());
  ASSERT_EVENTUALLY(next >= at_kill + 40, 120000);
  stop = true;
  worker.join();
  const int done = next;
  std::fprintf(stderr, "%d operations, namenode killed after %d, %d failed around the kill\n", done, at_kill,
               failures.load());

  int verified = 0;
  for (int i = 0; i < done; ++i) {
    const Op& op = ops[i];
    const std::string f = fmt::format("/ops/f{}", i), g = fmt::format("/ops/g{}", i);
    if (!op.created) continue;  // its outcome was not acknowledged
    // An acknowledged rename is there; an unacknowledged one may or may not have happened.
    std::string path = g;
    if (!op.renamed && !fs->Stat(g).ok()) path = f;
    auto back = ReadRemoteFile(*fs, path);
    ASSERT_TRUE(back.ok()) << path << ": " << back.status().ToString();
    ASSERT_EQ(*back, op.data) << path;
    if (op.renamed) {
      EXPECT_EQ(fs->Stat(f).status().code(), ErrorCode::kNotFound) << f;
    }
    ++verified;
  }
  EXPECT_GT(verified, 70);
}

TEST(NamenodeCrashTest, SafeModeHoldsWritesUntilTheBlocksAreReported) {
  MiniClusterOptions opts;
  opts.datanodes = 3;
  opts.block_size = kBlock;
  opts.heartbeat_interval_ms = 100;
  opts.namenode_flags = {"--namenode_safemode_threshold=0.999", "--namenode_safemode_extension_ms=500"};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  std::vector<std::pair<std::string, std::string>> files;
  {
    ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
    for (int i = 0; i < 4; ++i) {
      files.emplace_back(fmt::format("/safe/f{}", i), RandomBytes(kBlock * i + 10, 40 + i));
      ASSERT_OK(WriteRemoteFile(*fs, files.back().first, files.back().second));
    }
  }
  // Restart with every datanode down: no block can be reported.
  for (int i = 0; i < 3; ++i) ASSERT_OK(cluster->StopDatanode(i, SIGKILL));
  ASSERT_OK(cluster->StopNamenode(SIGKILL));
  ASSERT_OK(cluster->RestartNamenode());
  client::ClientOptions co;
  co.namenode = cluster->namenode_address();
  co.rpc_retry_ms = 0;  // see the safe-mode answer instead of waiting it out
  ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(co));
  ASSERT_OK_AND_ASSIGN(auto get, cluster->Cli({"admin", "safemode", "get"}));
  EXPECT_NE(get.out.find("Safe mode is ON"), std::string::npos) << get.out;
  Status refused = fs->Mkdirs("/safe/new");
  EXPECT_EQ(refused.code(), ErrorCode::kSafeMode) << refused.ToString();
  EXPECT_NE(refused.message().find("safe mode"), std::string::npos) << refused.ToString();
  EXPECT_NE(refused.message().find("reported blocks 0"), std::string::npos) << refused.ToString();
  // Reads of the namespace still work.
  ASSERT_OK_AND_ASSIGN(auto listing, fs->List("/safe"));
  EXPECT_EQ(listing.size(), files.size());

  for (int i = 0; i < 3; ++i) ASSERT_OK(cluster->RestartDatanode(i));
  ASSERT_EVENTUALLY(fs->Mkdirs("/safe/new").ok(), 60000);
  ASSERT_OK_AND_ASSIGN(get, cluster->Cli({"admin", "safemode", "get"}));
  EXPECT_NE(get.out.find("Safe mode is OFF"), std::string::npos) << get.out;
  for (const auto& [path, data] : files) {
    ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, path));
    EXPECT_EQ(back, data) << path;
  }
}

}  // namespace
}  // namespace cairn::fault
