// Lease (block) recovery on the namenode with fake datanodes: an abandoned file whose last
// block is still being written gets a RecoverBlockCommand (new stamp, every live holder)
// sent to one holder; commitBlockSynchronization records the agreed length and stamp and
// closes the file; a superseded or repeated commit is refused or accepted as HDFS does; a
// lost recovery is started again with a newer stamp; a recovery that found no data drops
// the block; the hard limit starts all of it without anyone asking.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "namenode/ops/lease_recovery.h"
#include "tests/namenode/namenode_harness.h"
#include "tests/support/mini_cluster.h"

namespace cairn::namenode::testing {
namespace {

class LeaseRecoveryTest : public ::testing::Test {
 protected:
  LeaseRecoveryTest()
      : h_([](NamenodeSettings& s) {
          s.block_recovery_timeout_ms = 200;
          s.lease_soft_limit_ms = 100;
          s.lease_hard_limit_ms = 300;
        }) {}

  void SetUp() override {
    for (int i = 0; i < 3; ++i)
      nodes_.push_back(h_.AddDatanode(fmt::format("dn{}", i), fmt::format("10.0.0.{}", i + 1), 9866, "/r0"));
  }

  // "/f" open by a dead writer, its first block complete (100 bytes on every node) and a
  // second block being written with RBW replicas of the given lengths on nodes 0..n-1.
  hh::LocatedBlockProto Abandoned(const std::vector<uint64_t>& rbw_lengths) {
    EXPECT_OK(h_.Create("/f", "dead").status());
    auto first = h_.AddBlock("/f", "dead");
    EXPECT_TRUE(first.ok());
    for (uint32_t n : nodes_) h_.Report(n, first->b().blockid(), first->b().generationstamp(), 100);
    auto prev = WithLength(*first, 100);
    auto second = h_.AddBlock("/f", "dead", &prev);
    EXPECT_TRUE(second.ok()) << second.status().ToString();
    for (size_t i = 0; i < rbw_lengths.size(); ++i)
      h_.Report(nodes_[i], second->b().blockid(), second->b().generationstamp(), rbw_lengths[i],
                ReceivedDeletedBlock::RECEIVING);
    return *second;
  }

  Result<bool> Recover() {
    hh::RecoverLeaseRequestProto req;
    req.set_src("/f");
    req.set_clientname("rescuer");
    hh::RecoverLeaseResponseProto resp;
    RETURN_IF_ERROR(RecoverLease(h_.nn(), h_.Super(), req, &resp));
    return resp.result();
  }

  // The recovery commands in the nodes' next heartbeats.
  std::vector<std::pair<uint32_t, RecoverBlockCommand>> RecoveryCommands() {
    std::vector<std::pair<uint32_t, RecoverBlockCommand>> out;
    for (uint32_t n : nodes_) {
      const HeartbeatResponse hb = h_.Heartbeat(fmt::format("dn{}", n));
      for (const auto& c : hb.commands())
        if (c.has_recover()) out.emplace_back(n, c.recover());
    }
    return out;
  }

  bool Closed() {
    hh::IsFileClosedRequestProto req;
    req.set_src("/f");
    hh::IsFileClosedResponseProto resp;
    return IsFileClosed(h_.nn(), h_.Super(), req, &resp).ok() && resp.result();
  }

  NamenodeHarness h_;
  std::vector<uint32_t> nodes_;
};

TEST_F(LeaseRecoveryTest, RecoverLeaseSendsARecoveryAndTheCommitClosesTheFile) {
  auto lb = Abandoned({700, 500, 900});
  ASSERT_OK_AND_ASSIGN(bool closed, Recover());
  EXPECT_FALSE(closed);
  auto cmds = RecoveryCommands();
  ASSERT_EQ(cmds.size(), 1u);
  const RecoverBlockCommand& cmd = cmds[0].second;
  EXPECT_EQ(cmd.block().blockid(), lb.b().blockid());
  EXPECT_EQ(cmd.block().generationstamp(), lb.b().generationstamp());
  EXPECT_GT(cmd.new_gen_stamp(), lb.b().generationstamp());
  EXPECT_EQ(cmd.replicas_size(), 3);
  // The writer lost its lease.
  EXPECT_EQ(h_.AddBlock("/f", "dead").status().code(), ErrorCode::kLeaseExpired);
  // Asking again while the recovery runs starts no second one.
  ASSERT_OK_AND_ASSIGN(closed, Recover());
  EXPECT_FALSE(closed);
  EXPECT_TRUE(RecoveryCommands().empty());

  // The primary agreed on 500 bytes on two nodes.
  CommitBlockSynchronizationRequest commit;
  *commit.mutable_block() = lb.b();
  commit.set_new_gen_stamp(cmd.new_gen_stamp());
  commit.set_new_length(500);
  commit.add_datanode_uuids("dn0");
  commit.add_datanode_uuids("dn1");
  ASSERT_OK(CommitBlockSynchronization(h_.nn(), commit));
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/f")->length(), 600u);
  auto info = h_.nn().blocks.Get(lb.b().blockid());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->gen_stamp, cmd.new_gen_stamp());
  EXPECT_EQ(info->num_bytes, 500u);
  // Replicas at the old stamp are stale now and get deleted.
  EXPECT_GE(h_.nn().datanodes.PendingInvalidations(), 1u);
  // The primary retrying a commit that went through is fine; recoverLease says closed.
  ASSERT_OK(CommitBlockSynchronization(h_.nn(), commit));
  ASSERT_OK_AND_ASSIGN(closed, Recover());
  EXPECT_TRUE(closed);
}

TEST_F(LeaseRecoveryTest, ALostRecoveryIsStartedAgainAndTheOldOneCannotCommit) {
  auto lb = Abandoned({300, 300});
  ASSERT_OK_AND_ASSIGN(bool closed, Recover());
  EXPECT_FALSE(closed);
  auto first = RecoveryCommands();
  ASSERT_EQ(first.size(), 1u);
  auto retried = [&] {
    (void)Recover();
    return !RecoveryCommands().empty();
  };
  ASSERT_EVENTUALLY(retried(), 10000);
  auto info = h_.nn().blocks.Get(lb.b().blockid());
  EXPECT_GT(info->recovery_id, first[0].second.new_gen_stamp());
  CommitBlockSynchronizationRequest stale;
  *stale.mutable_block() = lb.b();
  stale.set_new_gen_stamp(first[0].second.new_gen_stamp());
  stale.set_new_length(300);
  stale.add_datanode_uuids("dn0");
  EXPECT_EQ(CommitBlockSynchronization(h_.nn(), stale).code(), ErrorCode::kAborted);
  EXPECT_FALSE(Closed());
}

TEST_F(LeaseRecoveryTest, NoDataAnywhereDropsTheBlock) {
  auto lb = Abandoned({0, 0, 0});
  ASSERT_OK_AND_ASSIGN(bool closed, Recover());
  EXPECT_FALSE(closed);
  auto cmds = RecoveryCommands();
  ASSERT_EQ(cmds.size(), 1u);
  CommitBlockSynchronizationRequest commit;
  *commit.mutable_block() = lb.b();
  commit.set_new_gen_stamp(cmds[0].second.new_gen_stamp());
  commit.set_delete_block(true);
  ASSERT_OK(CommitBlockSynchronization(h_.nn(), commit));
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/f")->length(), 100u);
  EXPECT_FALSE(h_.nn().blocks.Contains(lb.b().blockid()));
}

TEST_F(LeaseRecoveryTest, HardLimitRecoversWithoutBeingAsked) {
  auto lb = Abandoned({400, 400, 400});
  std::vector<std::pair<uint32_t, RecoverBlockCommand>> cmds;
  auto recovering = [&] {
    h_.node().RunMonitorOnce();
    cmds = RecoveryCommands();
    return !cmds.empty();
  };
  ASSERT_EVENTUALLY(recovering(), 10000);
  CommitBlockSynchronizationRequest commit;
  *commit.mutable_block() = lb.b();
  commit.set_new_gen_stamp(cmds[0].second.new_gen_stamp());
  commit.set_new_length(400);
  for (int i = 0; i < 3; ++i) commit.add_datanode_uuids(fmt::format("dn{}", i));
  ASSERT_OK(CommitBlockSynchronization(h_.nn(), commit));
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/f")->length(), 500u);
}

TEST_F(LeaseRecoveryTest, AgreeingFinalizedReplicasCloseAtOnce) {
  auto lb = Abandoned({});
  for (uint32_t n : nodes_) h_.Report(n, lb.b().blockid(), lb.b().generationstamp(), 250);
  ASSERT_OK_AND_ASSIGN(bool closed, Recover());
  EXPECT_TRUE(closed);
  EXPECT_TRUE(RecoveryCommands().empty());
  EXPECT_EQ(h_.Stat("/f")->length(), 350u);
}

}  // namespace
}  // namespace cairn::namenode::testing
