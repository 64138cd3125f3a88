// libcairn on the namenode's Hadoop IPC door (namenode address hdfs://host:port, IpcChannel)
// against a real cluster: Hadoop exceptions come back as the codes the gRPC door gives,
// pooled connections outlive a namenode restart, an unreachable namenode is a clear
// retryable error, and many threads share the pool.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "client/file_system.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/shared_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

using cairn::testing::MiniCluster;
using cairn::testing::MiniClusterOptions;

class IpcDoorTest : public cairn::testing::SharedClusterSuite<IpcDoorTest> {
 public:
  static MiniClusterOptions ClusterOptions() {
    MiniClusterOptions opts;
    opts.datanodes = 1;
    opts.replication = 1;
    return opts;
  }

 protected:
  static std::unique_ptr<FileSystem> ConnectIpc(const std::string& user = "", int retry_ms = 30000) {
    ClientOptions opts;
    opts.namenode = "hdfs://" + cluster_->hadoop_address();
    opts.user = user;
    opts.rpc_retry_ms = retry_ms;
    auto fs = FileSystem::Connect(opts);
    EXPECT_TRUE(fs.ok()) << fs.status().ToString();
    return fs.ok() ? std::move(fs).value() : nullptr;
  }
};

TEST_F(IpcDoorTest, WritesReadsAndErrorsComeBackAsTheirCodes) {
  auto root = ConnectIpc();
  auto alice = ConnectIpc("alice");
  ASSERT_TRUE(root && alice);
  ASSERT_OK(root->Mkdir("/ipc-private", 0700, true));
  {
    ASSERT_OK_AND_ASSIGN(auto out, root->Create("/ipc-private/f"));
    ASSERT_OK(out->Write("payload", 7));
    ASSERT_OK(out->Close());
  }
  ASSERT_OK_AND_ASSIGN(FileStatus st, root->Stat("/ipc-private/f"));
  EXPECT_EQ(st.length, 7u);
  EXPECT_EQ(alice->Stat("/ipc-private/f").status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(root->Stat("/ipc-missing").status().code(), ErrorCode::kNotFound);
  CreateOptions no_overwrite;
  no_overwrite.overwrite = false;
  EXPECT_EQ(root->Create("/ipc-private/f", no_overwrite).status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(root->Mkdir("/ipc-private/f/sub", 0755, false).code(), ErrorCode::kParentNotDirectory);
  ASSERT_OK_AND_ASSIGN(auto in, root->Open("/ipc-private/f"));
  char buf[16];
  ASSERT_OK_AND_ASSIGN(size_t n, in->Read(buf, sizeof buf));
  EXPECT_EQ(std::string(buf, n), "payload");
}

TEST_F(IpcDoorTest, PooledConnectionsOutliveANamenodeRestart) {
  auto fs = ConnectIpc();
  ASSERT_TRUE(fs);
  ASSERT_OK(fs->Mkdirs("/ipc-restart"));
  ASSERT_OK(cluster_->RestartNamenode());
  // The pooled connection was closed by the old namenode: the call opens a new one.
  ASSERT_OK_AND_ASSIGN(FileStatus st, fs->Stat("/ipc-restart"));
  EXPECT_TRUE(st.is_dir);
}

TEST_F(IpcDoorTest, UnreachableNamenodeIsUnavailableNamingTheAddress) {
  ClientOptions opts;
  opts.namenode = "hdfs://127.0.0.1:1";
  opts.rpc_retry_ms = 200;
  ASSERT_OK_AND_ASSIGN(auto fs, FileSystem::Connect(opts));
  Status st = fs->Stat("/").status();
  EXPECT_EQ(st.code(), ErrorCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("127.0.0.1:1"), std::string::npos) << st.ToString();
  opts.namenode = "hdfs://no-port";
  EXPECT_FALSE(FileSystem::Connect(opts).ok());
}

TEST_F(IpcDoorTest, ManyThreadsShareThePool) {
  auto fs = ConnectIpc();
  ASSERT_TRUE(fs);
  ASSERT_OK(fs->Mkdirs("/ipc-threads"));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string dir = fmt::format("/ipc-threads/t{}-{}", t, i);
        if (!fs->Mkdirs(dir).ok() || !fs->Stat(dir).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto entries, fs->List("/ipc-threads"));
  EXPECT_EQ(entries.size(), 16u * 25u);
}

}  // namespace
}  // namespace cairn::client
