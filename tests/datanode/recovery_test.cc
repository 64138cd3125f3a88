// Block (lease) recovery led by a datanode: RecoverBlock asks every listed holder (itself
// locally, the others over the transfer port's CUSTOM op), agrees on a length (the
// finalized replicas', else the shortest RBW one, never less than what readers were
// promised), finalizes every participant at that length with the new stamp and commits
// the result to the namenode; with no data anywhere it asks the namenode to drop the block.
// A truncate recovery cuts every replica (finalized ones too) to the length it names.
#include <gtest/gtest.h>

#include "datanode/recovery/block_recovery.h"
#include "datanode/recovery/inter_datanode.h"
#include "tests/datanode/dtp_client.h"

namespace cairn::datanode {
namespace {

using cairn::testing::RandomBytes;
using namespace testing;  // NOLINT: the test helpers

// Records commits; everything else is refused (RecoverBlock calls nothing else).
class CommitRecorder : public NamenodeClient {
 public:
  Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest&) override { return Unimplemented("no"); }
  Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest&) override { return Unimplemented("no"); }
  Status BlockReport(const BlockReportRequest&) override { return Unimplemented("no"); }
  Status BlockReceivedAndDeleted(const IncrementalBlockReportRequest&) override { return Unimplemented("no"); }
  Status ReportBadBlocks(const ReportBadBlocksRequest&) override { return Unimplemented("no"); }
  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& r) override {
    commits.push_back(r);
    return Status::OK();
  }
  std::vector<CommitBlockSynchronizationRequest> commits;
};

class RecoveryTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kBlock = 77;
  static constexpr uint64_t kStamp = 1000;
  static constexpr uint64_t kRecovery = 1005;

  void SetUp() override {
    data_ = RandomBytes(4000, 9);
    for (int i = 0; i < 3; ++i) {
      auto n = StartNode(1);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      nodes_.push_back(std::move(n).value());
    }
  }

  hh::DatanodeInfoProto Info(int i) const {
    hh::DatanodeInfoProto dn = NodeInfo(nodes_[i]->port(), nodes_[i]->ipc_port());
    dn.mutable_id()->set_datanodeuuid(nodes_[i]->store->datanode_uuid());
    return dn;
  }

  // A replica of the first `n` bytes on node i: RBW (the writer went away) or finalized.
  void Replica(int i, size_t n, bool finalized) {
    auto w = nodes_[i]->store->CreateRbw(kBlock, kStamp, ChecksumSpec{});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_OK(WriteAll(**w, data_.substr(0, n)));
    if (finalized) {
      ASSERT_TRUE((*w)->Finalize().ok());
    } else {
      (*w)->Abort();
    }
  }

  RecoverBlockCommand Command(uint64_t promised) const {
    RecoverBlockCommand cmd;
    cmd.mutable_block()->set_poolid("BP-test");
    cmd.mutable_block()->set_blockid(kBlock);
    cmd.mutable_block()->set_generationstamp(kStamp);
    cmd.mutable_block()->set_numbytes(promised);
    for (int i = 0; i < 3; ++i) *cmd.add_replicas() = Info(i);
    cmd.set_new_gen_stamp(kRecovery);
    return cmd;
  }

  // Node i's replica: finalized at the new stamp with `n` bytes of the data.
  void ExpectRecovered(int i, size_t n) {
    auto r = nodes_[i]->store->GetReplica(kBlock);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->state, ReplicaState::kFinalized);
    EXPECT_EQ(r->gen_stamp, kRecovery);
    EXPECT_EQ(r->bytes_on_disk, n);
    auto read = ReadBlock(nodes_[i]->port(), kBlock, kRecovery, 0, n);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_BYTES_EQ(read->data, data_.substr(0, n));
    EXPECT_GE(nodes_[i]->listener.Count('R', kBlock), 1);
  }

  std::string data_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
  CommitRecorder nn_;
};

TEST_F(RecoveryTest, RbwReplicasAgreeOnTheShortest) {
  Replica(0, 3000, false);
  Replica(1, 2049, false);  // ends mid-chunk: its last CRC must be right after the cut
  Replica(2, 2500, false);
  ASSERT_OK(RecoverBlock(*nodes_[0]->store, nn_, Command(1000), 5000));
  ASSERT_EQ(nn_.commits.size(), 1u);
  const auto& c = nn_.commits[0];
  EXPECT_EQ(c.block().generationstamp(), kStamp);
  EXPECT_EQ(c.new_gen_stamp(), kRecovery);
  EXPECT_EQ(c.new_length(), 2049u);
  EXPECT_FALSE(c.delete_block());
  EXPECT_EQ(c.datanode_uuids_size(), 3);
  for (int i = 0; i < 3; ++i) ExpectRecovered(i, 2049);
}

TEST_F(RecoveryTest, FinalizedReplicasSetTheLengthAndShortOnesDropOut) {
  Replica(0, 3000, false);
  Replica(1, 2500, true);
  Replica(2, 2000, false);
  ASSERT_OK(RecoverBlock(*nodes_[2]->store, nn_, Command(0), 5000));
  ASSERT_EQ(nn_.commits.size(), 1u);
  EXPECT_EQ(nn_.commits[0].new_length(), 2500u);
  EXPECT_EQ(nn_.commits[0].datanode_uuids_size(), 2);
  ExpectRecovered(0, 2500);
  ExpectRecovered(1, 2500);
  // The short one keeps its old stamp: the namenode deletes it as stale.
  EXPECT_EQ(nodes_[2]->store->GetReplica(kBlock)->gen_stamp, kStamp);
}

TEST_F(RecoveryTest, NeverBelowWhatReadersWerePromised) {
  Replica(0, 1500, false);
  Replica(1, 1200, false);
  Status st = RecoverBlock(*nodes_[0]->store, nn_, Command(2000), 5000);
  EXPECT_EQ(st.code(), ErrorCode::kAborted) << st.ToString();
  EXPECT_TRUE(nn_.commits.empty());
  EXPECT_EQ(nodes_[0]->store->GetReplica(kBlock)->gen_stamp, kStamp);
}

TEST_F(RecoveryTest, NoDataAnywhereDropsTheBlockAndStaleAttemptsAreRefused) {
  Replica(0, 0, false);
  ASSERT_OK(RecoverBlock(*nodes_[1]->store, nn_, Command(0), 5000));
  ASSERT_EQ(nn_.commits.size(), 1u);
  EXPECT_TRUE(nn_.commits[0].delete_block());

  // A replica claimed by recovery 1005 refuses the older recovery 1003.
  Replica(1, 800, false);
  ASSERT_TRUE(nodes_[1]->store->InitReplicaRecovery(kBlock, kStamp, kRecovery).ok());
  InterDatanodeRequest req;
  *req.mutable_init_replica_recovery()->mutable_block() = Command(0).block();
  req.mutable_init_replica_recovery()->set_recovery_id(1003);
  auto r = CallInterDatanode(Info(1), req, 5000);
  EXPECT_EQ(r.status().code(), ErrorCode::kAborted) << r.status().ToString();
  InterDatanodeRequest update;
  *update.mutable_update_replica_under_recovery()->mutable_block() = Command(0).block();
  update.mutable_update_replica_under_recovery()->set_recovery_id(1003);
  update.mutable_update_replica_under_recovery()->set_new_length(800);
  EXPECT_EQ(CallInterDatanode(Info(1), update, 5000).status().code(), ErrorCode::kAborted);
}

TEST_F(RecoveryTest, TruncateCutsFinalizedReplicasToTheNamedLength) {
  Replica(0, 4000, true);
  Replica(1, 4000, true);
  Replica(2, 900, true);  // shorter than the cut: it drops out
  RecoverBlockCommand cmd = Command(1000 + 7);  // mid-chunk
  cmd.set_truncate(true);
  ASSERT_OK(RecoverBlock(*nodes_[1]->store, nn_, cmd, 5000));
  ASSERT_EQ(nn_.commits.size(), 1u);
  EXPECT_EQ(nn_.commits[0].new_length(), 1007u);
  EXPECT_EQ(nn_.commits[0].new_gen_stamp(), kRecovery);
  EXPECT_FALSE(nn_.commits[0].delete_block());
  EXPECT_EQ(nn_.commits[0].datanode_uuids_size(), 2);
  ExpectRecovered(0, 1007);
  ExpectRecovered(1, 1007);
  EXPECT_EQ(nodes_[2]->store->GetReplica(kBlock)->gen_stamp, kStamp);
}

TEST_F(RecoveryTest, WithoutTruncateAFinalizedReplicaIsNeverCut) {
  Replica(0, 4000, true);
  ASSERT_TRUE(nodes_[0]->store->InitReplicaRecovery(kBlock, kStamp, kRecovery).ok());
  auto cut = nodes_[0]->store->UpdateReplicaUnderRecovery(kBlock, kRecovery, 1000, /*truncate=*/false);
  EXPECT_EQ(cut.status().code(), ErrorCode::kAborted) << cut.status().ToString();
  EXPECT_EQ(nodes_[0]->store->GetReplica(kBlock)->bytes_on_disk, 4000u);
}

}  // namespace
}  // namespace cairn::datanode
