// The write path with fake datanodes: addBlock targets and LocatedBlockProto contents,
// complete() waiting for replica reports, NotReplicatedYet, lease checks, abandonBlock,
// fsync, getBlockLocations ordering and under-construction fields, append.
#include <thread>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

class WritePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two racks; dn0 shares the writer's address.
    n0_ = h_.AddDatanode("dn0", "10.0.0.1", 9866, "/r1");
    n1_ = h_.AddDatanode("dn1", "10.0.0.2", 9866, "/r1");
    n2_ = h_.AddDatanode("dn2", "10.0.1.1", 9866, "/r2");
    n3_ = h_.AddDatanode("dn3", "10.0.1.2", 9866, "/r2");
  }

  uint32_t NodeOf(const hh::DatanodeInfoProto& info) {
    return *h_.nn().datanodes.Lookup(info.id().datanodeuuid());
  }

  void ReportAll(const hh::LocatedBlockProto& lb, uint64_t length) {
    for (const auto& loc : lb.locs()) h_.Report(NodeOf(loc), lb.b().blockid(), lb.b().generationstamp(), length);
  }

  hh::LocatedBlocksProto Locate(const std::string& path, const std::string& address, uint64_t offset = 0,
                                uint64_t length = UINT64_MAX) {
    hh::GetBlockLocationsRequestProto req;
    req.set_src(path);
    req.set_offset(offset);
    req.set_length(length);
    hh::GetBlockLocationsResponseProto resp;
    EXPECT_OK(GetBlockLocations(h_.nn(), h_.As("hdfs", address), req, &resp));
    return resp.locations();
  }

  NamenodeHarness h_;
  uint32_t n0_, n1_, n2_, n3_;
};

TEST_F(WritePathTest, AddBlockFollowsRackPolicyAndFillsEveryField) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f", "client-1", nullptr, "10.0.0.1"));
  EXPECT_TRUE(lb.IsInitialized()) << lb.InitializationErrorString();
  ASSERT_EQ(lb.locs_size(), 3);
  EXPECT_EQ(lb.locs(0).id().ipaddr(), "10.0.0.1");  // the writer's own node first
  EXPECT_NE(lb.locs(1).location(), lb.locs(0).location());  // second off-rack
  EXPECT_EQ(lb.locs(2).location(), lb.locs(1).location());  // third on the second's rack
  EXPECT_NE(lb.locs(2).id().datanodeuuid(), lb.locs(1).id().datanodeuuid());
  EXPECT_EQ(lb.storageids_size(), 3);
  EXPECT_EQ(lb.storagetypes_size(), 3);
  EXPECT_EQ(lb.storagetypes(0), hh::DISK);
  EXPECT_EQ(lb.offset(), 0u);
  EXPECT_FALSE(lb.corrupt());
  EXPECT_EQ(lb.b().numbytes(), 0u);
  EXPECT_EQ(lb.b().poolid(), h_.nn().ns.block_pool_id());
  EXPECT_TRUE(lb.blocktoken().IsInitialized());
}

TEST_F(WritePathTest, CompleteWaitsForReplicasAndClosesTheFile) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  auto last = WithLength(lb, 1000);
  // No reports: false after namenode_complete_wait_ms.
  int64_t start = MonotonicMillis();
  ASSERT_OK_AND_ASSIGN(bool early, h_.Complete("/f", "client-1", &last));
  EXPECT_FALSE(early);
  EXPECT_GE(MonotonicMillis() - start, 250);
  // A report arriving while complete waits wakes it before the deadline.
  NamenodeHarness* h = &h_;
  std::thread reporter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    h->Report(NodeOf(lb.locs(0)), lb.b().blockid(), lb.b().generationstamp(), 1000);
  });
  ASSERT_OK_AND_ASSIGN(bool done, h_.Complete("/f", "client-1", &last));
  reporter.join();
  EXPECT_TRUE(done);
  auto st = h_.Stat("/f");
  EXPECT_EQ(st->length(), 1000u);
  EXPECT_EQ(h_.nn().leases.HolderOf(st->fileid()), "");
  // Retried complete of a closed file still says true.
  ASSERT_OK_AND_ASSIGN(bool again, h_.Complete("/f", "client-1", &last));
  EXPECT_TRUE(again);
  auto locs = Locate("/f", "10.9.9.9");
  EXPECT_FALSE(locs.underconstruction());
  EXPECT_TRUE(locs.islastblockcomplete());
  EXPECT_EQ(locs.filelength(), 1000u);
}

TEST_F(WritePathTest, WrongLengthReplicaDoesNotCount) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  h_.Report(NodeOf(lb.locs(0)), lb.b().blockid(), lb.b().generationstamp(), 999);
  auto last = WithLength(lb, 1000);
  ASSERT_OK_AND_ASSIGN(bool done, h_.Complete("/f", "client-1", &last));
  EXPECT_FALSE(done);
  h_.Report(NodeOf(lb.locs(1)), lb.b().blockid(), lb.b().generationstamp(), 1000);
  ASSERT_OK_AND_ASSIGN(bool done2, h_.Complete("/f", "client-1", &last));
  EXPECT_TRUE(done2);
}

TEST_F(WritePathTest, NextBlockNeedsEarlierBlocksReplicated) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto b1, h_.AddBlock("/f"));
  auto p1 = WithLength(b1, 1 << 20);
  ASSERT_OK_AND_ASSIGN(auto b2, h_.AddBlock("/f", "client-1", &p1));
  EXPECT_EQ(b2.offset(), 1u << 20);
  EXPECT_NE(b2.b().blockid(), b1.b().blockid());
  auto p2 = WithLength(b2, 1 << 20);
  auto b3 = h_.AddBlock("/f", "client-1", &p2);
  EXPECT_EQ(b3.status().code(), ErrorCode::kNotReplicatedYet);
  EXPECT_TRUE(b3.status().IsRetryable());
  ReportAll(b1, 1 << 20);
  ASSERT_OK(h_.AddBlock("/f", "client-1", &p2).status());
  EXPECT_EQ(h_.Stat("/f")->length(), 2u << 20);
}

TEST_F(WritePathTest, EarlierBlocksThatLoseReplicasLaterDoNotBlockComplete) {
  ASSERT_OK(h_.Create(h_.Super(), "/f", "client-1", hh::CREATE, 0644, 1).status());
  ASSERT_OK_AND_ASSIGN(auto b1, h_.AddBlock("/f"));
  ReportAll(b1, 1 << 20);
  auto p1 = WithLength(b1, 1 << 20);
  ASSERT_OK_AND_ASSIGN(auto b2, h_.AddBlock("/f", "client-1", &p1));
  // b1 was complete; its only replica going bad makes it under-replicated, not incomplete.
  h_.nn().blocks.MarkCorrupt(b1.b().blockid(), NodeOf(b1.locs(0)), "test");
  EXPECT_EQ(h_.nn().blocks.GoodReplicas(b1.b().blockid()), 0);
  ReportAll(b2, 10);
  auto last = WithLength(b2, 10);
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f", "client-1", &last));
  EXPECT_TRUE(closed);
}

TEST_F(WritePathTest, RetriedAddBlockGetsTheSameBlock) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto first, h_.AddBlock("/f"));
  ASSERT_OK_AND_ASSIGN(auto again, h_.AddBlock("/f"));
  EXPECT_EQ(again.b().blockid(), first.b().blockid());
}

TEST_F(WritePathTest, LeaseIsChecked) {
  ASSERT_OK(h_.Create("/f", "owner").status());
  EXPECT_EQ(h_.AddBlock("/f", "intruder").status().code(), ErrorCode::kLeaseExpired);
  EXPECT_EQ(h_.Complete("/f", "intruder").status().code(), ErrorCode::kLeaseExpired);
  EXPECT_EQ(h_.AddBlock("/gone", "owner").status().code(), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f", "owner"));
  EXPECT_TRUE(closed);
  EXPECT_EQ(h_.AddBlock("/f", "owner").status().code(), ErrorCode::kLeaseExpired);
}

TEST_F(WritePathTest, NotEnoughDatanodesIsAnIoErrorLikeHdfs) {
  NamenodeHarness empty;
  ASSERT_OK(empty.Create("/f").status());
  auto lb = empty.AddBlock("/f");
  ASSERT_EQ(lb.status().code(), ErrorCode::kIoError);
  EXPECT_NE(lb.status().message().find("could only be written to 0 of the 1 minReplication nodes"),
            std::string::npos)
      << lb.status().message();
}

TEST_F(WritePathTest, ExcludedNodesAreSkipped) {
  ASSERT_OK(h_.Create("/f").status());
  hh::AddBlockRequestProto req;
  req.set_src("/f");
  req.set_clientname("client-1");
  for (uint32_t n : {n0_, n1_}) h_.nn().datanodes.FillInfo(n, req.add_excludenodes());
  hh::AddBlockResponseProto resp;
  ASSERT_OK(AddBlock(h_.nn(), h_.As("hdfs", "10.0.0.1"), req, &resp));
  ASSERT_EQ(resp.block().locs_size(), 2);
  for (const auto& l : resp.block().locs()) EXPECT_EQ(l.location(), "/r2");
}

TEST_F(WritePathTest, AbandonBlockDropsIt) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  hh::AbandonBlockRequestProto req;
  *req.mutable_b() = lb.b();
  req.set_src("/f");
  req.set_holder("client-1");
  hh::AbandonBlockResponseProto resp;
  ASSERT_OK(AbandonBlock(h_.nn(), h_.Super(), req, &resp));
  EXPECT_FALSE(h_.nn().blocks.Contains(lb.b().blockid()));
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f"));
  EXPECT_TRUE(closed);
  EXPECT_EQ(h_.Stat("/f")->length(), 0u);
}

TEST_F(WritePathTest, OpenFileLocationsAndFsync) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  hh::FsyncRequestProto fs;
  fs.set_src("/f");
  fs.set_client("client-1");
  fs.set_lastblocklength(4096);
  hh::FsyncResponseProto fr;
  ASSERT_OK(Fsync(h_.nn(), h_.Super(), fs, &fr));
  auto locs = Locate("/f", "10.9.9.9");
  EXPECT_TRUE(locs.IsInitialized()) << locs.InitializationErrorString();
  EXPECT_TRUE(locs.underconstruction());
  EXPECT_FALSE(locs.islastblockcomplete());
  EXPECT_EQ(locs.filelength(), 0u);  // as HDFS: the open last block is left out
  ASSERT_TRUE(locs.has_lastblock());
  EXPECT_EQ(locs.lastblock().b().numbytes(), 4096u);
  EXPECT_EQ(locs.lastblock().locs_size(), 3);  // the pipeline, until replicas report
  EXPECT_EQ(locs.blocks_size(), 1);
  EXPECT_EQ(h_.Stat("/f")->length(), 4096u);
}

TEST_F(WritePathTest, ReadersGetTheNearestReplicaFirstAndNoCorruptOnes) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f", "client-1", nullptr, "10.0.0.1"));
  ReportAll(lb, 10);
  auto last = WithLength(lb, 10);
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f", "client-1", &last));
  ASSERT_TRUE(closed);
  for (const auto& loc : lb.locs()) {
    auto located = Locate("/f", loc.id().ipaddr());
    ASSERT_EQ(located.blocks_size(), 1);
    EXPECT_EQ(located.blocks(0).locs(0).id().ipaddr(), loc.id().ipaddr());
  }
  // A client on rack /r2 without a replica there... dn3 may hold none: same rack first.
  auto from_r2 = Locate("/f", "10.0.1.2");
  EXPECT_EQ(from_r2.blocks(0).locs(0).location(), "/r2");
  // Corrupt replicas are left out while a good one exists.
  hh::ReportBadBlocksRequestProto bad;
  auto* b = bad.add_blocks();
  *b = lb;
  b->clear_locs();
  *b->add_locs() = lb.locs(0);
  hh::ReportBadBlocksResponseProto br;
  ASSERT_OK(ReportBadBlocks(h_.nn(), h_.Super(), bad, &br));
  auto after = Locate("/f", "10.0.0.1");
  ASSERT_EQ(after.blocks(0).locs_size(), 2);
  for (const auto& l : after.blocks(0).locs()) EXPECT_NE(l.id().datanodeuuid(), lb.locs(0).id().datanodeuuid());
  EXPECT_FALSE(after.blocks(0).corrupt());
}

TEST_F(WritePathTest, AllCorruptReplicasAreReturnedMarkedCorrupt) {
  ASSERT_OK(h_.Create(h_.Super(), "/f", "client-1", hh::CREATE, 0644, 1).status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  ASSERT_EQ(lb.locs_size(), 1);
  ReportAll(lb, 10);
  auto last = WithLength(lb, 10);
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f", "client-1", &last));
  ASSERT_TRUE(closed);
  h_.nn().blocks.MarkCorrupt(lb.b().blockid(), NodeOf(lb.locs(0)), "test");
  auto located = Locate("/f", "10.0.0.1");
  ASSERT_EQ(located.blocks(0).locs_size(), 1);
  EXPECT_TRUE(located.blocks(0).corrupt());
}

TEST_F(WritePathTest, AppendReopensThePartialLastBlock) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  ReportAll(lb, 100);
  auto last = WithLength(lb, 100);
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f", "client-1", &last));
  ASSERT_TRUE(closed);
  hh::AppendRequestProto req;
  req.set_src("/f");
  req.set_clientname("appender");
  hh::AppendResponseProto resp;
  ASSERT_OK(Append(h_.nn(), h_.Super(), req, &resp));
  ASSERT_TRUE(resp.has_block());
  EXPECT_EQ(resp.block().b().blockid(), lb.b().blockid());
  EXPECT_EQ(resp.block().b().numbytes(), 100u);
  EXPECT_EQ(resp.block().locs_size(), 3);
  EXPECT_EQ(resp.stat().length(), 100u);
  // Open now: a second writer is refused, the first holds the lease.
  hh::AppendResponseProto resp2;
  req.set_clientname("other");
  EXPECT_EQ(Append(h_.nn(), h_.Super(), req, &resp2).code(), ErrorCode::kAlreadyBeingCreated);
  // Pipeline update: new stamp, then updatePipeline, then complete.
  hh::UpdateBlockForPipelineRequestProto ub;
  *ub.mutable_block() = resp.block().b();
  ub.set_clientname("appender");
  hh::UpdateBlockForPipelineResponseProto ubr;
  ASSERT_OK(UpdateBlockForPipeline(h_.nn(), h_.Super(), ub, &ubr));
  const uint64_t stamp = ubr.block().b().generationstamp();
  EXPECT_GT(stamp, lb.b().generationstamp());
  hh::UpdatePipelineRequestProto up;
  up.set_clientname("appender");
  *up.mutable_oldblock() = resp.block().b();
  *up.mutable_newblock() = ubr.block().b();
  up.mutable_newblock()->set_numbytes(100);
  for (const auto& l : resp.block().locs()) *up.add_newnodes() = l.id();
  hh::UpdatePipelineResponseProto upr;
  ASSERT_OK(UpdatePipeline(h_.nn(), h_.Super(), up, &upr));
  for (const auto& l : resp.block().locs()) h_.Report(NodeOf(l), lb.b().blockid(), stamp, 150);
  hh::ExtendedBlockProto fin = ubr.block().b();
  fin.set_numbytes(150);
  ASSERT_OK_AND_ASSIGN(bool closed2, h_.Complete("/f", "appender", &fin));
  EXPECT_TRUE(closed2);
  EXPECT_EQ(h_.Stat("/f")->length(), 150u);
}

TEST_F(WritePathTest, RecoverLeaseClosesFinalizedFilesAndRevokesOthers) {
  ASSERT_OK(h_.Create("/f", "dead-writer").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f", "dead-writer"));
  h_.Report(NodeOf(lb.locs(0)), lb.b().blockid(), lb.b().generationstamp(), 50, ReceivedDeletedBlock::RECEIVING);
  hh::RecoverLeaseRequestProto req;
  req.set_src("/f");
  req.set_clientname("rescuer");
  hh::RecoverLeaseResponseProto resp;
  ASSERT_OK(RecoverLease(h_.nn(), h_.Super(), req, &resp));
  EXPECT_FALSE(resp.result());  // a replica is still being written
  EXPECT_EQ(h_.AddBlock("/f", "dead-writer").status().code(), ErrorCode::kLeaseExpired);
  for (const auto& l : lb.locs()) h_.Report(NodeOf(l), lb.b().blockid(), lb.b().generationstamp(), 50);
  ASSERT_OK(RecoverLease(h_.nn(), h_.Super(), req, &resp));
  EXPECT_TRUE(resp.result());
  EXPECT_EQ(h_.Stat("/f")->length(), 50u);
  hh::IsFileClosedRequestProto ic;
  ic.set_src("/f");
  hh::IsFileClosedResponseProto icr;
  ASSERT_OK(IsFileClosed(h_.nn(), h_.Super(), ic, &icr));
  EXPECT_TRUE(icr.result());
}

TEST_F(WritePathTest, OverwriteDeletesOldBlocksOnDatanodes) {
  ASSERT_OK(h_.Create("/f").status());
  ASSERT_OK_AND_ASSIGN(auto lb, h_.AddBlock("/f"));
  ReportAll(lb, 10);
  auto last = WithLength(lb, 10);
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/f", "client-1", &last));
  ASSERT_TRUE(closed);
  ASSERT_OK(h_.Create("/f", "client-2", hh::CREATE | hh::OVERWRITE).status());
  EXPECT_FALSE(h_.nn().blocks.Contains(lb.b().blockid()));
  for (const auto& l : lb.locs()) {
    auto hb = h_.Heartbeat(l.id().datanodeuuid());
    ASSERT_EQ(hb.commands_size(), 1);
    ASSERT_TRUE(hb.commands(0).has_delete_());
    EXPECT_EQ(hb.commands(0).delete_().blocks(0).blockid(), lb.b().blockid());
  }
}

}  // namespace
}  // namespace cairn::namenode::testing
