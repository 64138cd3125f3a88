// Block access tokens at the DataTransferProtocol door: datanodes holding the namenode's
// keys refuse READ_BLOCK, WRITE_BLOCK, BLOCK_CHECKSUM, TRANSFER_BLOCK and the recovery
// calls (op 127) without a valid token for that block and mode (ERROR_ACCESS_TOKEN or
// kPermissionDenied, nothing stored changed), read only the
// generation stamp a replica really has, and sign their own tokens for the copies they
// make.
#include <gtest/gtest.h>

#include "datanode/recovery/inter_datanode.h"
#include "tests/datanode/dtp_client.h"

namespace cairn::datanode {
namespace {

using cairn::testing::RandomBytes;
using namespace testing;  // NOLINT: the test helpers

class BlockTokenOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BlockKeyRingOptions o;
    o.token_lifetime_ms = 60'000;
    namenode_ = std::make_unique<BlockKeyRing>(o);
    namenode_->RollIfDue(WallMillis());
    keys_ = namenode_->Export();
    for (int i = 0; i < 2; ++i) {
      auto node = StartNodeOn({}, 1, IoEngineKind::kUring, 10000, &keys_);
      ASSERT_TRUE(node.ok()) << node.status().ToString();
      nodes_.push_back(std::move(node).value());
    }
  }
  hadoop::common::TokenProto Token(uint64_t block, uint32_t modes, int64_t now = WallMillis()) {
    return namenode_->Issue("alice", "BP-test", block, modes, now);
  }
  // Writes a finalized replica of `block` on node 0 with a proper token.
  void Put(uint64_t block, const std::string& data) {
    WriteOptions o;
    o.token = Token(block, kBlockWrite);
    auto w = WriteBlock(nodes_[0]->port(), {}, block, data, o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE(w->AllAcksSucceeded(1)) << w->setup.message();
  }
  Result<ReadResult> Read(uint64_t block, uint64_t gen_stamp, const hadoop::common::TokenProto& token, size_t len) {
    return ReadBlock(nodes_[0]->port(), block, gen_stamp, 0, len, true, token);
  }

  std::unique_ptr<BlockKeyRing> namenode_;
  BlockKeysProto keys_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

TEST_F(BlockTokenOpsTest, ReadsNeedAValidReadTokenAndTheExactStamp) {
  std::string data = RandomBytes(100000, 1);
  Put(1, data);
  auto ok = Read(1, 1000, Token(1, kBlockRead), data.size());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->response.status(), hh::SUCCESS) << ok->response.message();
  EXPECT_BYTES_EQ(ok->data, data);

  auto forged = Token(1, kBlockRead);
  forged.mutable_password()->front() ^= 0x40;
  BlockKeyRing stranger;  // keys no datanode has
  stranger.RollIfDue(WallMillis());
  struct Case {
    const char* what;
    hadoop::common::TokenProto token;
    const char* reason;
  } cases[] = {
      {"no token", EmptyBlockToken(), "missing"},
      {"forged password", forged, "invalid password"},
      {"another namenode's key", stranger.Issue("alice", "BP-test", 1, kBlockRead, WallMillis()), "doesn't exist"},
      {"another block's token", Token(2, kBlockRead), "not blk_1"},
      {"a write-only token", Token(1, kBlockWrite), "doesn't have READ"},
      {"an expired token", Token(1, kBlockRead, WallMillis() - 120'000), "expired"},
  };
  for (const auto& c : cases) {
    auto r = Read(1, 1000, c.token, data.size());
    ASSERT_TRUE(r.ok()) << c.what << ": " << r.status().ToString();
    EXPECT_EQ(r->response.status(), hh::ERROR_ACCESS_TOKEN) << c.what;
    EXPECT_NE(r->response.message().find(c.reason), std::string::npos) << c.what << ": " << r->response.message();
    EXPECT_TRUE(r->data.empty()) << c.what;
  }
  // Stamp 0 (or any stamp but the replica's) reads nothing, even with a valid token.
  for (uint64_t gs : {0ull, 999ull, 1001ull}) {
    auto r = Read(1, gs, Token(1, kBlockRead), data.size());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->response.status(), hh::ERROR) << gs;
    EXPECT_TRUE(r->data.empty());
  }
}

TEST_F(BlockTokenOpsTest, WritesWithoutAWriteTokenStoreNothing) {
  std::string data = RandomBytes(5000, 2);
  for (const auto& token : {EmptyBlockToken(), Token(5, kBlockRead), Token(6, kBlockWrite)}) {
    WriteOptions o;
    o.token = token;
    auto w = WriteBlock(nodes_[0]->port(), {}, 5, data, o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(w->setup.status(), hh::ERROR_ACCESS_TOKEN) << w->setup.message();
    EXPECT_EQ(nodes_[0]->store->GetReplica(5).status().code(), ErrorCode::kNotFound);
  }
  // A pipeline forwards the client's token: the downstream node checks it too.
  WriteOptions o;
  o.token = Token(7, kBlockWrite);
  auto w = WriteBlock(nodes_[0]->port(), {nodes_[1]->port()}, 7, data, o);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->AllAcksSucceeded(2));
  EXPECT_TRUE(nodes_[1]->store->GetReplica(7).ok());
}

TEST_F(BlockTokenOpsTest, AWriteCannotReplaceAFinalizedReplica) {
  std::string data = RandomBytes(8000, 3);
  Put(8, data);
  WriteOptions o;
  o.token = Token(8, kBlockWrite);  // even with a valid token
  auto w = WriteBlock(nodes_[0]->port(), {}, 8, RandomBytes(8000, 4), o);
  ASSERT_TRUE(w.ok());
  EXPECT_NE(w->setup.status(), hh::SUCCESS);
  auto r = Read(8, 1000, Token(8, kBlockRead), data.size());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->response.status(), hh::SUCCESS);
  EXPECT_BYTES_EQ(r->data, data);
}

TEST_F(BlockTokenOpsTest, ChecksumAndTransferNeedTheirModes) {
  std::string data = RandomBytes(20000, 5);
  Put(9, data);
  auto none = BlockChecksum(nodes_[0]->port(), 9, 1000, data.size());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status(), hh::ERROR_ACCESS_TOKEN);
  auto sum = BlockChecksum(nodes_[0]->port(), 9, 1000, data.size(), Token(9, kBlockRead));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->status(), hh::SUCCESS) << sum->message();

  auto transfer = [&](const hadoop::common::TokenProto& token) -> hh::BlockOpResponseProto {
    auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
    EXPECT_TRUE(s.ok());
    BufferedReader in(&*s);
    hh::OpTransferBlockProto op;
    auto* b = op.mutable_header()->mutable_baseheader()->mutable_block();
    b->set_poolid("BP-test");
    b->set_blockid(9);
    b->set_generationstamp(1000);
    b->set_numbytes(data.size());
    *op.mutable_header()->mutable_baseheader()->mutable_token() = token;
    op.mutable_header()->set_clientname("DFSClient_test");
    *op.add_targets() = NodeInfo(nodes_[1]->port());
    EXPECT_TRUE(SendOp(*s, DataTransferOp::kTransferBlock, op).ok());
    hh::BlockOpResponseProto reply;
    EXPECT_TRUE(ReadBlockOpResponse(in, &reply).ok());
    return reply;
  };
  EXPECT_EQ(transfer(Token(9, kBlockRead)).status(), hh::ERROR_ACCESS_TOKEN);
  EXPECT_EQ(nodes_[1]->store->GetReplica(9).status().code(), ErrorCode::kNotFound);
  // With COPY the source signs a WRITE token of its own that the target accepts.
  auto copied = transfer(Token(9, kBlockCopy));
  EXPECT_EQ(copied.status(), hh::SUCCESS) << copied.message();
  auto r = ReadBlock(nodes_[1]->port(), 9, 1000, 0, data.size(), true, Token(9, kBlockRead));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->response.status(), hh::SUCCESS) << r->response.message();
  EXPECT_BYTES_EQ(r->data, data);
}

TEST_F(BlockTokenOpsTest, RecoveryCallsFromStrangersChangeNothing) {
  std::string data = RandomBytes(30000, 6);
  Put(10, data);
  hh::ExtendedBlockProto block;
  block.set_poolid("BP-test");
  block.set_blockid(10);
  block.set_generationstamp(1000);
  block.set_numbytes(data.size());
  InterDatanodeRequest update;
  auto* u = update.mutable_update_replica_under_recovery();
  *u->mutable_block() = block;
  u->set_recovery_id(1001);
  u->set_new_length(1);
  u->set_truncate(true);  // a stranger's attempt to cut the replica to one byte
  InterDatanodeRequest init;
  *init.mutable_init_replica_recovery()->mutable_block() = block;
  init.mutable_init_replica_recovery()->set_recovery_id(1001);
  BlockKeyRing stranger;
  stranger.RollIfDue(WallMillis());
  for (const auto& token : {EmptyBlockToken(), RecoveryToken(&stranger, block), Token(10, kBlockWrite | kBlockCopy)}) {
    for (InterDatanodeRequest* req : {&init, &update}) {
      *req->mutable_token() = token;
      auto r = CallInterDatanode(NodeInfo(nodes_[0]->port(), nodes_[0]->ipc_port()), *req, 5000);
      EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied) << r.status().ToString();
    }
  }
  auto replica = nodes_[0]->store->GetReplica(10);
  ASSERT_TRUE(replica.ok());
  EXPECT_EQ(replica->gen_stamp, 1000u);
  EXPECT_EQ(replica->state, ReplicaState::kFinalized);
  EXPECT_EQ(replica->bytes_on_disk, data.size());

  // The primary of a real recovery signs with the namenode's keys: accepted.
  *init.mutable_token() = RecoveryToken(namenode_.get(), block);
  auto ok = CallInterDatanode(NodeInfo(nodes_[0]->port(), nodes_[0]->ipc_port()), init, 5000);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->init_replica_recovery().num_bytes(), data.size());
}

TEST_F(BlockTokenOpsTest, TheTransferPortNoLongerTakesRecoveryCalls) {
  const std::string data = RandomBytes(3000, 5);
  Put(11, data);
  hh::ExtendedBlockProto block;
  block.set_poolid("BP-test");
  block.set_blockid(11);
  block.set_generationstamp(1000);
  block.set_numbytes(data.size());
  InterDatanodeRequest init;
  *init.mutable_init_replica_recovery()->mutable_block() = block;
  init.mutable_init_replica_recovery()->set_recovery_id(1001);
  *init.mutable_token() = RecoveryToken(namenode_.get(), block);  // even a properly signed one
  auto s = ConnectTcp("127.0.0.1", nodes_[0]->port(), 5000);
  ASSERT_TRUE(s.ok());
  BufferedReader in(&*s);
  ASSERT_OK(SendOp(*s, DataTransferOp::kCustom, init));
  hh::BlockOpResponseProto reply;
  ASSERT_OK(ReadBlockOpResponse(in, &reply));
  EXPECT_EQ(reply.status(), hh::ERROR_UNSUPPORTED) << reply.message();
  auto replica = nodes_[0]->store->GetReplica(11);
  ASSERT_TRUE(replica.ok());
  EXPECT_EQ(replica->state, ReplicaState::kFinalized);  // not stopped for a recovery
  // The same call on the inter-datanode port is served.
  auto served = CallInterDatanode(NodeInfo(nodes_[0]->port(), nodes_[0]->ipc_port()), init, 5000);
  ASSERT_TRUE(served.ok()) << served.status().ToString();
}

}  // namespace
}  // namespace cairn::datanode
