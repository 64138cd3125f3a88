// The RPC fault seam on the datanode's namenode calls (datanode/nn/faulty_namenode_client.h):
// the plan file's grammar, and a wrapper around a counting fake that drops a request
// (never sent), loses a reply (sent, error returned), sends a call twice or passes it
// through, as the plan says at the moment of the call.
#include <gtest/gtest.h>

#include "datanode/nn/faulty_namenode_client.h"
#include "tests/support/fault_plan.h"
#include "tests/support/test_util.h"

namespace cairn::datanode {
namespace {

using cairn::testing::MakeTempDir;
using cairn::testing::RemoveTree;

class CountingNamenode final : public NamenodeClient {
 public:
  Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest&) override {
    ++registers;
    return RegisterDatanodeResponse();
  }
  Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest&) override {
    ++heartbeats;
    return HeartbeatResponse();
  }
  Status BlockReport(const BlockReportRequest&) override {
    ++block_reports;
    return Status::OK();
  }
  Status BlockReceivedAndDeleted(const IncrementalBlockReportRequest&) override {
    ++received;
    return Status::OK();
  }
  Status ReportBadBlocks(const ReportBadBlocksRequest&) override { return Status::OK(); }
  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest&) override { return Status::OK(); }

  int registers = 0, heartbeats = 0, block_reports = 0, received = 0;
};

TEST(NamenodeRpcFaultPlanTest, ParsesEachFaultPerCallAndReportsWhatItDoesNotKnow) {
  std::string ignored;
  auto p = NamenodeRpcFaultPlan::Parse("drop_request heartbeat\ndrop_reply block_received # lost\n"
                                       "duplicate *\ndelay_ms 7\ndrop_request nonsense\nduplicate\n",
                                       &ignored);
  EXPECT_TRUE(NamenodeRpcFaultPlan::Hits(p.drop_request, NamenodeCall::kHeartbeat));
  EXPECT_FALSE(NamenodeRpcFaultPlan::Hits(p.drop_request, NamenodeCall::kBlockReport));
  EXPECT_TRUE(NamenodeRpcFaultPlan::Hits(p.drop_reply, NamenodeCall::kBlockReceived));
  for (int c = 0; c < static_cast<int>(NamenodeCall::kCount); ++c)
    EXPECT_TRUE(NamenodeRpcFaultPlan::Hits(p.duplicate, static_cast<NamenodeCall>(c))) << c;
  EXPECT_EQ(p.delay_ms, 7);
  EXPECT_EQ(ignored, "drop_request nonsense; duplicate");
}

TEST(FaultInjectingNamenodeClientTest, DropsLosesDuplicatesAndPassesCallsAsThePlanSays) {
  const std::string dir = MakeTempDir("rpcfaults");
  const std::string plan = dir + "/plan";
  auto set = [&](const std::string& text) { ASSERT_OK(cairn::testing::SetFaultPlan(plan, text)); };
  auto fake = std::make_unique<CountingNamenode>();
  CountingNamenode* nn = fake.get();
  auto client = MakeFaultInjectingNamenodeClient(std::move(fake), plan);

  EXPECT_OK(client->Heartbeat(HeartbeatRequest()).status());
  EXPECT_EQ(nn->heartbeats, 1);

  set("drop_request heartbeat\n");
  auto dropped = client->Heartbeat(HeartbeatRequest());
  EXPECT_EQ(dropped.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(dropped.status().message().find("dropped before it was sent"), std::string::npos);
  EXPECT_EQ(nn->heartbeats, 1);                      // never sent
  EXPECT_OK(client->BlockReport(BlockReportRequest()));  // other calls pass
  EXPECT_EQ(nn->block_reports, 1);

  set("drop_reply block_received\n");
  Status lost = client->BlockReceivedAndDeleted(IncrementalBlockReportRequest());
  EXPECT_EQ(lost.code(), ErrorCode::kUnavailable);
  EXPECT_NE(lost.message().find("reply to the block_received call was lost"), std::string::npos);
  EXPECT_EQ(nn->received, 1);  // it was sent

  set("duplicate *\n");
  EXPECT_OK(client->Register(RegisterDatanodeRequest()).status());
  EXPECT_EQ(nn->registers, 2);

  cairn::testing::ClearFaultPlan(plan);
  EXPECT_OK(client->Heartbeat(HeartbeatRequest()).status());
  EXPECT_OK(client->Register(RegisterDatanodeRequest()).status());
  EXPECT_EQ(nn->heartbeats, 2);
  EXPECT_EQ(nn->registers, 3);
  RemoveTree(dir);
}

}  // namespace
}  // namespace cairn::datanode
