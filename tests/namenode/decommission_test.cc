// Decommissioning on the namenode with fake datanodes: the node's replicas stop counting,
// its blocks are copied elsewhere (from it, preferably), it becomes DECOMMISSIONED once
// every block has enough replicas on other nodes, its copies are never deleted, new blocks
// avoid it, the state survives a restart, and recommissioning makes the extra copies go.
#include <gtest/gtest.h>

#include "tests/namenode/namenode_harness.h"
#include "tests/support/mini_cluster.h"

namespace cairn::namenode::testing {
namespace {

class DecommissionTest : public ::testing::Test {
 protected:
  void SetUp() override { AddNodes(); }
  void AddNodes() {
    nodes_.clear();
    for (int i = 0; i < 4; ++i)
      nodes_.push_back(h_.AddDatanode(fmt::format("dn{}", i), fmt::format("10.0.{}.{}", i % 2, i + 1), 9866,
                                      i % 2 ? "/r1" : "/r0"));
  }

  hh::LocatedBlockProto WriteFile(const std::string& path, std::vector<uint32_t> holders) {
    EXPECT_OK(h_.Create(h_.Super(), path, "w", hh::CREATE, 0644, 2).status());
    auto lb = h_.AddBlock(path, "w");
    EXPECT_TRUE(lb.ok()) << lb.status().ToString();
    for (uint32_t n : holders) h_.Report(n, lb->b().blockid(), lb->b().generationstamp(), 64);
    auto last = WithLength(*lb, 64);
    auto done = h_.Complete(path, "w", &last);
    EXPECT_TRUE(done.ok() && *done);
    return *lb;
  }

  Result<DatanodeAdminResponse> Admin(DatanodeAdminRequest::Action action, const std::vector<std::string>& nodes,
                                      const CallContext& caller) {
    DatanodeAdminRequest req;
    req.set_action(action);
    for (const auto& n : nodes) req.add_datanodes(n);
    DatanodeAdminResponse resp;
    RETURN_IF_ERROR(DatanodeAdmin(h_.nn(), caller, req, &resp));
    return resp;
  }

  std::vector<DatanodeCommand> Commands(uint32_t node) {
    auto hb = h_.Heartbeat(fmt::format("dn{}", node));
    return {hb.commands().begin(), hb.commands().end()};
  }

  NamenodeHarness h_;
  std::vector<uint32_t> nodes_;
};

TEST_F(DecommissionTest, BlocksMoveOffTheNodeBeforeItIsDecommissioned) {
  auto lb = WriteFile("/f", {0, 1});
  EXPECT_EQ(Admin(DatanodeAdminRequest::DECOMMISSION, {"10.0.0.1:9866"}, h_.As("alice")).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(Admin(DatanodeAdminRequest::DECOMMISSION, {"10.9.9.9:1"}, h_.Super()).status().code(),
            ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto resp, Admin(DatanodeAdminRequest::DECOMMISSION, {"10.0.0.1:9866"}, h_.Super()));
  ASSERT_EQ(resp.datanodes_size(), 1);
  EXPECT_EQ(resp.datanodes(0).admin_state(), "DECOMMISSION_INPROGRESS");
  EXPECT_EQ(resp.datanodes(0).blocks(), 1u);
  EXPECT_EQ(resp.datanodes(0).blocks_pending(), 1u);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 1);

  // The copy comes from the decommissioning node and goes to a node that is neither it nor
  // the other holder; nothing is deleted.
  h_.node().RunMonitorOnce();
  auto cmds = Commands(0);
  ASSERT_EQ(cmds.size(), 1u);
  ASSERT_TRUE(cmds[0].has_replicate());
  uint32_t target = *h_.nn().datanodes.Lookup(cmds[0].replicate().targets(0).id().datanodeuuid());
  EXPECT_NE(target, nodes_[0]);
  EXPECT_NE(target, nodes_[1]);
  // New blocks avoid the node.
  ASSERT_OK(h_.Create(h_.Super(), "/g", "w2", hh::CREATE, 0644, 3).status());
  ASSERT_OK_AND_ASSIGN(auto g, h_.AddBlock("/g", "w2"));
  for (const auto& l : g.locs()) EXPECT_NE(l.id().datanodeuuid(), "dn0");

  h_.Report(target, lb.b().blockid(), lb.b().generationstamp(), 64);
  // The monitor marks it done on its next replication round.
  auto decommissioned = [&] {
    h_.node().RunMonitorOnce();
    auto r = Admin(DatanodeAdminRequest::STATUS, {"10.0.0.1:9866"}, h_.As("alice"));
    return r.ok() && r->datanodes(0).admin_state() == "DECOMMISSIONED";
  };
  ASSERT_EVENTUALLY(decommissioned(), 10000);
  ASSERT_OK_AND_ASSIGN(resp, Admin(DatanodeAdminRequest::STATUS, {"10.0.0.1:9866"}, h_.As("alice")));
  EXPECT_EQ(resp.datanodes(0).blocks_pending(), 0u);
  for (const auto& c : Commands(0)) EXPECT_FALSE(c.has_delete_()) << "a decommissioned node's copy was deleted";

  // Recommissioned: its copy counts again, so one of the three extra goes.
  ASSERT_OK(Admin(DatanodeAdminRequest::RECOMMISSION, {"10.0.0.1:9866"}, h_.Super()).status());
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 3);
  h_.nn().blocks.RunReplicationRound(100);
  int deletes = 0;
  for (uint32_t n : nodes_)
    for (const auto& c : Commands(n)) deletes += c.has_delete_() ? 1 : 0;
  EXPECT_EQ(deletes, 1);
}

TEST_F(DecommissionTest, TheStateSurvivesARestart) {
  WriteFile("/f", {0, 1});
  ASSERT_OK(Admin(DatanodeAdminRequest::DECOMMISSION, {"10.0.1.2:9866"}, h_.Super()).status());
  h_.Reopen();
  AddNodes();
  DatanodeAdminRequest req;
  DatanodeAdminResponse resp;
  ASSERT_OK(DatanodeAdmin(h_.nn(), h_.Super(), req, &resp));
  int decommissioning = 0;
  for (const auto& d : resp.datanodes()) {
    if (d.datanode() == "10.0.1.2:9866") {
      EXPECT_NE(d.admin_state(), "NORMAL");
      ++decommissioning;
    } else {
      EXPECT_EQ(d.admin_state(), "NORMAL");
    }
  }
  EXPECT_EQ(decommissioning, 1);
  hh::GetDatanodeReportRequestProto report;
  report.set_type(hh::DECOMMISSIONING);
  hh::GetDatanodeReportResponseProto listed;
  ASSERT_OK(GetDatanodeReport(h_.nn(), h_.Super(), report, &listed));
  ASSERT_EQ(listed.di_size(), 1);
  EXPECT_EQ(listed.di(0).adminstate(), hh::DatanodeInfoProto::DECOMMISSION_INPROGRESS);
}

}  // namespace
}  // namespace cairn::namenode::testing
