// A namenode whose namespace store cannot sync its write-ahead log (the sync fault seam,
// namenode/store/sync_fault_env.h) refuses the change with a clear error, shuts itself
// down instead of running on read-only, and after a restart holds every change it had
// acknowledged.
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/mini_cluster.h"
#include "tests/support/remote_file.h"
#include "tests/support/test_util.h"

namespace cairn::testing {
namespace {

TEST(NamespaceStoreFailureTest, AFailedSyncStopsTheNamenodeAndLosesNothingAcknowledged) {
  const std::string dir = MakeTempDir("syncfault");
  const std::string trigger = dir + "/fail-syncs";
  MiniClusterOptions o;
  o.datanodes = 1;
  o.replication = 1;
  o.namenode_flags = {"--fault_namespace_sync_fail_file=" + trigger};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(o));
  {
    ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
    for (int i = 0; i < 20; ++i) ASSERT_OK(fs->Mkdirs("/acked/d" + std::to_string(i)));
    ASSERT_OK(WriteRemoteFile(*fs, "/acked/file", "acknowledged bytes"));

    std::ofstream(trigger) << "on\n";  // from now on every WAL sync fails
    Status refused = fs->Mkdirs("/never/acked");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.code(), ErrorCode::kIoError) << refused.ToString();
    EXPECT_NE(refused.message().find("namespace store"), std::string::npos) << refused.ToString();
    EXPECT_NE(refused.message().find("injected sync failure"), std::string::npos) << refused.ToString();
  }
  // It stops by itself, in order, and says why.
  ASSERT_OK_AND_ASSIGN(int code, cluster->WaitForNamenodeExit(30000));
  EXPECT_EQ(code, 1);
  ASSERT_OK_AND_ASSIGN(std::string log, ReadLocalFile(cluster->namenode_log()));
  EXPECT_NE(log.find("the namespace store failed a write"), std::string::npos);
  EXPECT_NE(log.find("namenode stopped after a failed namespace write"), std::string::npos);

  ::unlink(trigger.c_str());
  ASSERT_OK(cluster->RestartNamenode());
  ASSERT_OK(cluster->WaitForLiveDatanodes(1));
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  for (int i = 0; i < 20; ++i) {
    auto info = fs->Stat("/acked/d" + std::to_string(i));
    ASSERT_TRUE(info.ok()) << i << ": " << info.status().ToString();
  }
  ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs, "/acked/file"));
  EXPECT_EQ(back, "acknowledged bytes");
  // And it takes changes again.
  EXPECT_OK(fs->Mkdirs("/after/restart"));
  RemoveTree(dir);
}

}  // namespace
}  // namespace cairn::testing
