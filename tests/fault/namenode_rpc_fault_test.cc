// Calls from datanodes to the namenode that are lost, duplicated or never arrive, through
// the datanode's RPC fault seam (datanode/nn/faulty_namenode_client.h: each datanode runs with
// --fault_namenode_rpc_plan_file, and the test writes the plan while it runs). Duplicated
// heartbeats and reports count once; an incremental report whose request or reply was lost
// is sent again until the namenode has it; a datanode that cannot reach the namenode at
// all is declared dead and, once it can, comes back with every replica it holds. Clients
// see no error throughout, and every file reads back byte for byte.
#include <gtest/gtest.h>

#include "tests/support/cluster_util.h"
#include "tests/support/fault_plan.h"
#include "tests/support/test_util.h"

namespace cairn::fault {
namespace {

using namespace cairn::testing;  // NOLINT: test helpers

constexpr uint64_t kBlock = 128 * 1024;

class NamenodeRpcFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("rpcfault");
    MiniClusterOptions o;
    o.datanodes = 3;
    o.replication = 3;
    o.block_size = kBlock;
    o.heartbeat_interval_ms = 100;
    o.dead_interval_ms = 3000;
    for (int i = 0; i < o.datanodes; ++i)
      o.datanode_flags_by_index.push_back({"--fault_namenode_rpc_plan_file=" + Plan(i)});
    ASSERT_OK_AND_ASSIGN(cluster_, MiniCluster::Start(o));
    ASSERT_OK_AND_ASSIGN(fs_, cluster_->Connect());
  }
  void TearDown() override {
    cluster_.reset();
    RemoveTree(dir_);
  }

  std::string Plan(int i) const { return dir_ + "/dn" + std::to_string(i) + ".faults"; }
  void SetFaults(int i, const std::string& text) const { ASSERT_OK(SetFaultPlan(Plan(i), text)); }
  void Heal(int i) const { ClearFaultPlan(Plan(i)); }

  void WriteFiles(const std::string& prefix, int count) {
    for (int k = 0; k < count; ++k) {
      files_.emplace_back(prefix + std::to_string(k), RandomBytes(2 * kBlock + 333 * k, files_.size() + 1));
      Status written = WriteRemoteFile(*fs_, files_.back().first, files_.back().second);
      ASSERT_TRUE(written.ok()) << files_.back().first << ": " << written.ToString();
    }
  }
  void ExpectEveryFileReadsBack() {
    for (const auto& [path, data] : files_) {
      ASSERT_OK_AND_ASSIGN(std::string back, ReadRemoteFile(*fs_, path));
      ASSERT_EQ(back, data) << path;
    }
  }
  // Every datanode is live and the namenode counts each block once on each of them.
  bool EachNodeCountedOncePerBlock() {
    size_t blocks = 0;
    for (const auto& [path, data] : files_) blocks += (data.size() + kBlock - 1) / kBlock;
    auto report = fs_->GetDatanodeReport();
    if (!report.ok() || report->size() != 3) return false;
    for (const auto& dn : *report) {
      if (!dn.live || dn.blocks != blocks) return false;
    }
    return true;
  }

  std::string dir_;
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::FileSystem> fs_;
  std::vector<std::pair<std::string, std::string>> files_;
};

TEST_F(NamenodeRpcFaultTest, DuplicatedCallsCountOnce) {
  for (int i = 0; i < 3; ++i) SetFaults(i, "duplicate *\n");
  WriteFiles("/dup/f", 4);
  ASSERT_EVENTUALLY(FullyReplicated(*fs_, 3) && EachNodeCountedOncePerBlock(), 30000);
  ExpectEveryFileReadsBack();
  for (int i = 0; i < 3; ++i) Heal(i);
  ASSERT_EVENTUALLY(FullyReplicated(*fs_, 3) && EachNodeCountedOncePerBlock(), 30000);
}

TEST_F(NamenodeRpcFaultTest, ALostIncrementalReportIsSentAgain) {
  SetFaults(0, "drop_reply block_received\n");    // the namenode hears, the datanode thinks not
  SetFaults(1, "drop_request block_received\n");  // the namenode never hears
  WriteFiles("/lost/f", 3);
  ExpectEveryFileReadsBack();
  // While node 1's reports cannot arrive, the namenode does not know of its replicas.
  ASSERT_OK_AND_ASSIGN(auto report, fs_->GetDatanodeReport());
  for (const auto& dn : report) {
    if (dn.address == cluster_->datanode_address(1)) EXPECT_EQ(dn.blocks, 0u);
  }
  Heal(0);
  Heal(1);
  ASSERT_EVENTUALLY(FullyReplicated(*fs_, 3) && EachNodeCountedOncePerBlock(), 30000);
  ExpectEveryFileReadsBack();
}

TEST_F(NamenodeRpcFaultTest, ANodeThatCannotReachTheNamenodeIsDeadUntilItCan) {
  WriteFiles("/before/f", 2);
  ASSERT_EVENTUALLY(FullyReplicated(*fs_, 3), 30000);
  const std::string address = cluster_->datanode_address(0);
  auto live = [&](bool want) {
    auto report = fs_->GetDatanodeReport();
    if (!report.ok()) return false;
    for (const auto& dn : *report)
      if (dn.address == address) return dn.live == want;
    return false;
  };
  SetFaults(0, "drop_request *\n");
  ASSERT_EVENTUALLY(live(false), 20000);
  // Clients go on around it.
  ExpectEveryFileReadsBack();
  WriteFiles("/during/f", 2);
  Heal(0);
  ASSERT_EVENTUALLY(live(true), 20000);
  ASSERT_EVENTUALLY(FullyReplicated(*fs_, 3) && EachNodeCountedOncePerBlock(), 60000);
  ExpectEveryFileReadsBack();
}

}  // namespace
}  // namespace cairn::fault
