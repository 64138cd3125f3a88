// Block manager and replication monitor with fake datanodes: dead nodes make blocks
// under-replicated and a ReplicateCommand goes to a holder of a good replica; excess
// replicas and corrupt ones get DeleteCommands; unknown and stale replicas are deleted;
// heartbeats from unknown nodes are told to register.
#include <map>

#include <gtest/gtest.h>

#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) {
      nodes_.push_back(h_.AddDatanode(fmt::format("dn{}", i), fmt::format("10.0.{}.{}", i % 2, i + 1), 9866,
                                      i % 2 ? "/r1" : "/r0"));
    }
  }

  // A closed one-block file with `replication`, replicas reported on `holders`.
  hh::LocatedBlockProto WriteFile(const std::string& path, uint32_t replication, std::vector<uint32_t> holders) {
    EXPECT_OK(h_.Create(h_.Super(), path, "w", hh::CREATE, 0644, replication).status());
    auto lb = h_.AddBlock(path, "w");
    EXPECT_TRUE(lb.ok()) << lb.status().ToString();
    for (uint32_t n : holders) h_.Report(n, lb->b().blockid(), lb->b().generationstamp(), 64);
    auto last = WithLength(*lb, 64);
    auto done = h_.Complete(path, "w", &last);
    EXPECT_TRUE(done.ok() && *done);
    return *lb;
  }

  std::vector<DatanodeCommand> Commands(uint32_t node) {
    auto hb = h_.Heartbeat(fmt::format("dn{}", node));
    return {hb.commands().begin(), hb.commands().end()};
  }

  NamenodeHarness h_;
  std::vector<uint32_t> nodes_;
};

TEST_F(ReplicationTest, UnderReplicatedBlockIsCopiedFromAGoodReplica) {
  auto lb = WriteFile("/f", 3, {0, 1});
  h_.nn().blocks.RunReplicationRound(100);
  EXPECT_EQ(h_.nn().blocks.Stats().under_replicated, 1u);
  EXPECT_EQ(h_.nn().blocks.Stats().pending_replication, 1u);
  int replicate_commands = 0;
  uint32_t target = 0;
  for (uint32_t source : {0u, 1u}) {
    for (const auto& c : Commands(source)) {
      if (!c.has_replicate()) continue;
      ++replicate_commands;
      EXPECT_EQ(c.replicate().block().blockid(), lb.b().blockid());
      EXPECT_EQ(c.replicate().block().numbytes(), 64u);
      ASSERT_EQ(c.replicate().targets_size(), 1);
      target = *h_.nn().datanodes.Lookup(c.replicate().targets(0).id().datanodeuuid());
      EXPECT_NE(target, 0u);
      EXPECT_NE(target, 1u);
    }
  }
  ASSERT_EQ(replicate_commands, 1);
  h_.Report(target, lb.b().blockid(), lb.b().generationstamp(), 64);
  h_.nn().blocks.RunReplicationRound(100);
  EXPECT_EQ(h_.nn().blocks.Stats().under_replicated, 0u);
  EXPECT_EQ(h_.nn().blocks.Stats().pending_replication, 0u);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 3);
}

TEST_F(ReplicationTest, DeadNodeReplicasStopCounting) {
  auto lb = WriteFile("/f", 2, {0, 1});
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 2);
  h_.nn().datanodes.MarkDead(nodes_[1]);
  h_.nn().blocks.NodeDied(nodes_[1]);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 1);
  // The heartbeat of a dead node asks it to register again.
  EXPECT_TRUE(h_.Heartbeat("dn1").reregister());
  EXPECT_TRUE(h_.Heartbeat("never-registered").reregister());
  h_.nn().blocks.RunReplicationRound(100);
  hh::GetFsStatusRequestProto req;
  hh::GetFsStatsResponseProto stats;
  ASSERT_OK(GetFsStats(h_.nn(), h_.Super(), req, &stats));
  EXPECT_EQ(stats.under_replicated(), 1u);
  EXPECT_EQ(stats.missing_blocks(), 0u);
  EXPECT_GT(stats.capacity(), 0u);
}

TEST_F(ReplicationTest, LiveCheckDeclaresSilentNodesDead) {
  NamenodeHarness h([](NamenodeSettings& s) { s.datanode_dead_interval_ms = 50; });
  uint32_t n = h.AddDatanode("lonely", "10.1.1.1", 9866, "/r");
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  h.node().RunMonitorOnce();
  EXPECT_FALSE(h.nn().datanodes.Lookup("lonely").has_value());
  hh::GetDatanodeReportRequestProto req;
  req.set_type(hh::DEAD);
  hh::GetDatanodeReportResponseProto resp;
  ASSERT_OK(GetDatanodeReport(h.nn(), h.Super(), req, &resp));
  ASSERT_EQ(resp.di_size(), 1);
  EXPECT_EQ(resp.di(0).id().datanodeuuid(), "lonely");
  EXPECT_TRUE(resp.IsInitialized());
  (void)n;
}

TEST_F(ReplicationTest, LostEveryReplicaIsMissing) {
  auto lb = WriteFile("/f", 1, {2});
  h_.nn().datanodes.MarkDead(nodes_[2]);
  h_.nn().blocks.NodeDied(nodes_[2]);
  h_.nn().blocks.RunReplicationRound(100);
  EXPECT_EQ(h_.nn().blocks.Stats().missing, 1u);
  FsckRequest req;
  req.set_path("/");
  FsckResponse resp;
  ASSERT_OK(Fsck(h_.nn(), h_.Super(), req, &resp));
  ASSERT_EQ(resp.files_size(), 1);
  EXPECT_EQ(resp.files(0).blocks(0).health(), FsckBlock::MISSING);
  EXPECT_FALSE(resp.healthy());
  EXPECT_EQ(resp.missing_blocks(), 1u);
}

TEST_F(ReplicationTest, ExcessReplicasAreDeletedKeepingRacks) {
  auto lb = WriteFile("/f", 3, {0, 1, 2, 3});  // dn0, dn2 on /r0; dn1, dn3 on /r1
  h_.nn().blocks.RunReplicationRound(100);
  int deletes = 0;
  for (uint32_t n : {0u, 1u, 2u, 3u}) {
    for (const auto& c : Commands(n)) {
      if (c.has_delete_()) {
        ++deletes;
        EXPECT_EQ(c.delete_().blocks(0).blockid(), lb.b().blockid());
      }
    }
  }
  EXPECT_EQ(deletes, 1);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 3);
}

TEST_F(ReplicationTest, SetReplicationDownDeletesAndUpCopies) {
  auto lb = WriteFile("/f", 2, {0, 1});
  hh::SetReplicationRequestProto req;
  req.set_src("/f");
  req.set_replication(1);
  hh::SetReplicationResponseProto resp;
  ASSERT_OK(SetReplication(h_.nn(), h_.Super(), req, &resp));
  h_.nn().blocks.RunReplicationRound(100);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 1);
  req.set_replication(3);
  ASSERT_OK(SetReplication(h_.nn(), h_.Super(), req, &resp));
  h_.nn().blocks.RunReplicationRound(100);
  EXPECT_EQ(h_.nn().blocks.Stats().pending_replication, 1u);
}

TEST_F(ReplicationTest, CorruptReplicaIsReplacedThenDeleted) {
  auto lb = WriteFile("/f", 2, {0, 1});
  h_.nn().blocks.MarkCorrupt(lb.b().blockid(), nodes_[0], "checksum");
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 1);
  h_.nn().blocks.RunReplicationRound(100);
  EXPECT_EQ(h_.nn().blocks.Stats().corrupt, 1u);
  auto cmds = Commands(1);  // the only good source
  ASSERT_EQ(cmds.size(), 1u);
  ASSERT_TRUE(cmds[0].has_replicate());
  uint32_t target = *h_.nn().datanodes.Lookup(cmds[0].replicate().targets(0).id().datanodeuuid());
  EXPECT_NE(target, 0u);  // never onto the node holding the corrupt copy
  h_.Report(target, lb.b().blockid(), lb.b().generationstamp(), 64);
  h_.nn().blocks.RunReplicationRound(100);
  auto del = Commands(0);
  ASSERT_EQ(del.size(), 1u);
  ASSERT_TRUE(del[0].has_delete_());
  h_.Report(0, lb.b().blockid(), lb.b().generationstamp(), 64, ReceivedDeletedBlock::DELETED);
  EXPECT_EQ(h_.nn().blocks.Stats().corrupt, 0u);
}

TEST_F(ReplicationTest, ABlockOnOneRackIsSpreadToASecond) {
  auto lb = WriteFile("/f", 2, {0, 2});  // both on /r0
  h_.nn().blocks.RunReplicationRound(100);
  std::vector<DatanodeCommand> cmds = Commands(0);
  for (const auto& c : Commands(2)) cmds.push_back(c);
  ASSERT_EQ(cmds.size(), 1u);
  ASSERT_TRUE(cmds[0].has_replicate());
  ASSERT_EQ(cmds[0].replicate().targets_size(), 1);
  EXPECT_EQ(cmds[0].replicate().targets(0).location(), "/r1");
  uint32_t target = *h_.nn().datanodes.Lookup(cmds[0].replicate().targets(0).id().datanodeuuid());
  h_.Report(target, lb.b().blockid(), lb.b().generationstamp(), 64);
  // Three copies now: one of the two on /r0 goes.
  h_.nn().blocks.RunReplicationRound(100);
  int deletes = 0;
  for (uint32_t n : {0u, 2u}) {
    for (const auto& c : Commands(n)) deletes += c.has_delete_() ? 1 : 0;
  }
  EXPECT_EQ(deletes, 1);
  for (const auto& c : Commands(target)) EXPECT_FALSE(c.has_delete_());
}

TEST_F(ReplicationTest, FsckNamesEachFilesState) {
  WriteFile("/healthy", 2, {0, 1});
  WriteFile("/under", 3, {0, 1});
  auto lost = WriteFile("/missing", 2, {2, 3});
  auto bad = WriteFile("/corrupt", 1, {4});
  h_.nn().blocks.NodeDied(nodes_[2]);
  h_.nn().blocks.NodeDied(nodes_[3]);
  h_.nn().blocks.MarkCorrupt(bad.b().blockid(), nodes_[4], "checksum");
  FsckRequest req;
  req.set_path("/");
  FsckResponse resp;
  ASSERT_OK(Fsck(h_.nn(), h_.Super(), req, &resp));
  std::map<std::string, FsckBlock::Health> health;
  for (const auto& f : resp.files()) health[f.path()] = f.health();
  EXPECT_EQ(health["/healthy"], FsckBlock::HEALTHY);
  EXPECT_EQ(health["/under"], FsckBlock::UNDER_REPLICATED);
  EXPECT_EQ(health["/missing"], FsckBlock::MISSING);
  EXPECT_EQ(health["/corrupt"], FsckBlock::CORRUPT);
  EXPECT_EQ(resp.missing_blocks(), 1u);
  EXPECT_EQ(resp.corrupt_blocks(), 1u);
  EXPECT_FALSE(resp.healthy());
  EXPECT_TRUE(lost.has_b());
}

TEST_F(ReplicationTest, UnknownAndStaleReplicasAreDeleted) {
  auto lb = WriteFile("/f", 1, {0});
  BlockReportRequest report;
  report.set_datanode_uuid("dn4");
  auto* unknown = report.add_replicas();
  unknown->set_block_id(999999);
  unknown->set_gen_stamp(1);
  unknown->set_num_bytes(5);
  auto* stale = report.add_replicas();
  stale->set_block_id(lb.b().blockid());
  stale->set_gen_stamp(lb.b().generationstamp() - 1);
  stale->set_num_bytes(64);
  h_.nn().blocks.ProcessFullReport(nodes_[4], report);
  auto cmds = Commands(4);
  ASSERT_EQ(cmds.size(), 1u);
  ASSERT_TRUE(cmds[0].has_delete_());
  std::set<uint64_t> ids;
  for (const auto& b : cmds[0].delete_().blocks()) ids.insert(b.blockid());
  EXPECT_EQ(ids, (std::set<uint64_t>{999999, lb.b().blockid()}));
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 1);
}

TEST_F(ReplicationTest, FullReportDropsReplicasTheNodeNoLongerHas) {
  auto lb = WriteFile("/f", 2, {0, 1});
  BlockReportRequest empty;
  empty.set_datanode_uuid("dn0");
  h_.nn().blocks.ProcessFullReport(nodes_[0], empty);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(lb.b().blockid()), 1);
  EXPECT_EQ(h_.nn().blocks.NodeBlockCount(nodes_[0]), 0u);
}

TEST_F(ReplicationTest, DeletingAFileQueuesBlockDeletions) {
  auto lb = WriteFile("/f", 2, {0, 1});
  ASSERT_OK(h_.Delete("/f", false).status());
  for (uint32_t n : {0u, 1u}) {
    auto cmds = Commands(n);
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].delete_().blocks(0).blockid(), lb.b().blockid());
    EXPECT_EQ(cmds[0].delete_().blocks(0).generationstamp(), lb.b().generationstamp());
  }
}

}  // namespace
}  // namespace cairn::namenode::testing
