// truncate on the namenode with fake datanodes: to a block boundary it is done at once;
// inside a block the file keeps that block cut to the new length, stays open for the
// namenode (answer false) and a RecoverBlockCommand with `truncate` goes to a holder;
// nothing closes the file until commitBlockSynchronization brings the cut length, and a
// restarted namenode starts the recovery again from what it persisted.
#include <gtest/gtest.h>

#include "namenode/ops/lease_recovery.h"
#include "tests/namenode/namenode_harness.h"
#include "tests/support/mini_cluster.h"

namespace cairn::namenode::testing {
namespace {

class TruncateTest : public ::testing::Test {
 protected:
  TruncateTest() : h_([](NamenodeSettings& s) { s.block_recovery_timeout_ms = 200; }) {}

  void SetUp() override { AddNodes(); }

  void AddNodes() {
    nodes_.clear();
    for (int i = 0; i < 3; ++i)
      nodes_.push_back(h_.AddDatanode(fmt::format("dn{}", i), fmt::format("10.0.0.{}", i + 1), 9866, "/r0"));
  }

  // "/t": three complete blocks of 100, 100 and 60 bytes on every node.
  void WriteFile() {
    ASSERT_OK(h_.Create("/t", "w").status());
    const hh::ExtendedBlockProto* prev = nullptr;
    hh::ExtendedBlockProto last;
    for (uint64_t len : {100, 100, 60}) {
      ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/t", "w", prev));
      for (uint32_t n : nodes_) h_.Report(n, lb.b().blockid(), lb.b().generationstamp(), len);
      blocks_.push_back(WithLength(lb, len));
      last = blocks_.back();
      prev = &last;
    }
    ASSERT_OK_AND_ASSIGN(bool done, h_.Complete("/t", "w", &blocks_.back()));
    ASSERT_TRUE(done);
  }

  Result<bool> Truncate(uint64_t length, const std::string& client = "cutter") {
    hh::TruncateRequestProto req;
    req.set_src("/t");
    req.set_newlength(length);
    req.set_clientname(client);
    hh::TruncateResponseProto resp;
    RETURN_IF_ERROR(namenode::Truncate(h_.nn(), h_.Super(), req, &resp));
    return resp.result();
  }

  std::vector<RecoverBlockCommand> RecoveryCommands() {
    std::vector<RecoverBlockCommand> out;
    for (uint32_t n : nodes_) {
      const HeartbeatResponse hb = h_.Heartbeat(fmt::format("dn{}", n));
      for (const auto& c : hb.commands())
        if (c.has_recover()) out.push_back(c.recover());
    }
    return out;
  }

  bool Closed() {
    hh::IsFileClosedRequestProto req;
    req.set_src("/t");
    hh::IsFileClosedResponseProto resp;
    return IsFileClosed(h_.nn(), h_.Super(), req, &resp).ok() && resp.result();
  }

  CommitBlockSynchronizationRequest Commit(const RecoverBlockCommand& cmd, uint64_t length) {
    CommitBlockSynchronizationRequest commit;
    *commit.mutable_block() = cmd.block();
    commit.set_new_gen_stamp(cmd.new_gen_stamp());
    commit.set_new_length(length);
    for (int i = 0; i < 3; ++i) commit.add_datanode_uuids(fmt::format("dn{}", i));
    return commit;
  }

  NamenodeHarness h_;
  std::vector<uint32_t> nodes_;
  std::vector<hh::ExtendedBlockProto> blocks_;
};

TEST_F(TruncateTest, ToABlockBoundaryIsDoneAtOnce) {
  WriteFile();
  ASSERT_OK_AND_ASSIGN(bool done, Truncate(100));
  EXPECT_TRUE(done);
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 100u);
  EXPECT_TRUE(RecoveryCommands().empty());
  EXPECT_FALSE(h_.nn().blocks.Contains(blocks_[1].blockid()));
}

TEST_F(TruncateTest, InsideABlockRecoversTheBlockToTheNewLength) {
  WriteFile();
  ASSERT_OK_AND_ASSIGN(bool done, Truncate(150));
  EXPECT_FALSE(done) << "a cut inside a block is finished by block recovery";
  EXPECT_FALSE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 150u) << "the new length shows at once";
  EXPECT_FALSE(h_.nn().blocks.Contains(blocks_[2].blockid())) << "the block past the cut is dropped";

  auto cmds = RecoveryCommands();
  ASSERT_EQ(cmds.size(), 1u);
  const RecoverBlockCommand& cmd = cmds[0];
  EXPECT_TRUE(cmd.truncate());
  EXPECT_EQ(cmd.block().blockid(), blocks_[1].blockid());
  EXPECT_EQ(cmd.block().numbytes(), 50u);
  EXPECT_EQ(cmd.block().generationstamp(), blocks_[1].generationstamp());
  EXPECT_GT(cmd.new_gen_stamp(), blocks_[1].generationstamp());
  EXPECT_EQ(cmd.replicas_size(), 3);

  // While it runs: no second truncate, no append, and the lease monitor does not close
  // the file on the replicas' old (longer) length.
  EXPECT_EQ(Truncate(120).status().code(), ErrorCode::kAlreadyBeingCreated);
  h_.node().RunMonitorOnce();
  EXPECT_FALSE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 150u);

  // The primary must bring the cut length.
  EXPECT_EQ(CommitBlockSynchronization(h_.nn(), Commit(cmd, 100)).code(), ErrorCode::kInvalidArgument);
  ASSERT_OK(CommitBlockSynchronization(h_.nn(), Commit(cmd, 50)));
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 150u);
  auto info = h_.nn().blocks.Get(blocks_[1].blockid());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->gen_stamp, cmd.new_gen_stamp());
  EXPECT_EQ(info->num_bytes, 50u);
  // The cut replicas count; a replica left at the old stamp is deleted.
  for (uint32_t n : nodes_) h_.Report(n, blocks_[1].blockid(), cmd.new_gen_stamp(), 50);
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(blocks_[1].blockid()), 3);
  // And the file can be truncated again.
  ASSERT_OK_AND_ASSIGN(done, Truncate(100));
  EXPECT_TRUE(done);
}

TEST_F(TruncateTest, ReplicasAlreadyCutCloseTheFileWhenTheCommitWasLost) {
  WriteFile();
  ASSERT_OK_AND_ASSIGN(bool done, Truncate(130));
  ASSERT_FALSE(done);
  auto cmds = RecoveryCommands();
  ASSERT_EQ(cmds.size(), 1u);
  // The datanodes cut and finalized their replicas but the commit never arrived.
  for (uint32_t n : nodes_) h_.Report(n, blocks_[1].blockid(), cmds[0].new_gen_stamp(), 30);
  h_.node().RunMonitorOnce();
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 130u);
}

TEST_F(TruncateTest, ARestartedNamenodeFinishesTheTruncate) {
  WriteFile();
  ASSERT_OK_AND_ASSIGN(bool done, Truncate(170));
  ASSERT_FALSE(done);
  ASSERT_EQ(RecoveryCommands().size(), 1u);
  h_.Reopen();
  AddNodes();
  EXPECT_FALSE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 170u);
  // The datanodes report their (still long, old-stamp) replicas; the monitor recovers.
  for (uint32_t n : nodes_) h_.Report(n, blocks_[1].blockid(), blocks_[1].generationstamp(), 100);
  std::vector<RecoverBlockCommand> cmds;
  auto recovering = [&] {
    h_.node().RunMonitorOnce();
    cmds = RecoveryCommands();
    return !cmds.empty();
  };
  ASSERT_EVENTUALLY(recovering(), 10000);
  EXPECT_TRUE(cmds[0].truncate());
  EXPECT_EQ(cmds[0].block().numbytes(), 70u);
  EXPECT_FALSE(Closed());
  ASSERT_OK(CommitBlockSynchronization(h_.nn(), Commit(cmds[0], 70)));
  EXPECT_TRUE(Closed());
  EXPECT_EQ(h_.Stat("/t")->length(), 170u);
}

}  // namespace
}  // namespace cairn::namenode::testing
