// The whole Datanode against a fake namenode: registration with retries, full and
// incremental block reports, heartbeats, and the commands in heartbeat replies.
#include <deque>
#include <fstream>

#include <gtest/gtest.h>

#include "datanode/datanode.h"
#include "tests/datanode/dtp_client.h"

namespace cairn::datanode {
namespace {

using cairn::testing::RandomBytes;
using namespace testing;  // NOLINT: the test helpers

// A namenode that records what datanodes send and answers heartbeats with queued replies.
class FakeNamenode {
  template <typename F>
  auto Locked(F f) const -> decltype(f()) {
    std::lock_guard lock(mu_);
    return f();
  }

 public:
  FakeNamenode() { keys_.RollIfDue(WallMillis()); }
  // A token as the real namenode would put in a located block.
  hadoop::common::TokenProto Token(uint64_t block_id, uint32_t modes = kBlockRead | kBlockWrite) const {
    return keys_.Issue("alice", "BP-test", block_id, modes, WallMillis());
  }
  BlockKeysProto keys() const { return keys_.Export(); }

  Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest& req) {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (!available_) return Unavailable("namenode down");
    ++registrations_;
    last_register_ = req;
    RegisterDatanodeResponse resp;
    resp.set_cluster_id("CID-test");
    resp.set_block_pool_id("BP-test");
    resp.set_heartbeat_interval_ms(50);
    *resp.mutable_block_keys() = keys_.Export();
    return resp;
  }
  Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest& req) {
    std::lock_guard lock(mu_);
    if (!available_) return Unavailable("namenode down");
    heartbeats_.push_back(req);
    if (replies_.empty()) return HeartbeatResponse();
    HeartbeatResponse r = replies_.front();
    replies_.pop_front();
    return r;
  }
  Status BlockReport(const BlockReportRequest& req) {
    std::lock_guard lock(mu_);
    if (!available_) return Unavailable("namenode down");
    full_reports_.push_back(req);
    return Status::OK();
  }
  Status Incremental(const IncrementalBlockReportRequest& req) {
    std::lock_guard lock(mu_);
    if (!available_) return Unavailable("namenode down");
    for (const auto& b : req.blocks()) ibrs_.push_back(b);
    return Status::OK();
  }

  Status ReportBadBlocks(const ReportBadBlocksRequest& req) {
    std::lock_guard lock(mu_);
    if (!available_) return Unavailable("namenode down");
    bad_reports_.push_back(req);
    return Status::OK();
  }
  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& req) {
    std::lock_guard lock(mu_);
    if (!available_) return Unavailable("namenode down");
    commits_.push_back(req);
    return Status::OK();
  }
  std::vector<ReportBadBlocksRequest> bad_reports() const { return Locked([&] { return bad_reports_; }); }
  std::vector<CommitBlockSynchronizationRequest> commits() const { return Locked([&] { return commits_; }); }

  void SetAvailable(bool v) {
    std::lock_guard lock(mu_);
    available_ = v;
  }
  void Reply(HeartbeatResponse r) {
    std::lock_guard lock(mu_);
    replies_.push_back(std::move(r));
  }
  int attempts() const { return Locked([&] { return attempts_; }); }
  int registrations() const { return Locked([&] { return registrations_; }); }
  size_t full_reports() const { return Locked([&] { return full_reports_.size(); }); }
  BlockReportRequest last_full_report() const { return Locked([&] { return full_reports_.back(); }); }
  size_t heartbeats() const { return Locked([&] { return heartbeats_.size(); }); }
  HeartbeatRequest last_heartbeat() const { return Locked([&] { return heartbeats_.back(); }); }
  RegisterDatanodeRequest last_register() const { return Locked([&] { return last_register_; }); }
  bool HasIbr(uint64_t block, ReceivedDeletedBlock::Kind kind) const {
    return Locked([&] {
      for (const auto& b : ibrs_)
        if (b.replica().block_id() == block && b.kind() == kind) return true;
      return false;
    });
  }
  uint64_t IbrBytes(uint64_t block, ReceivedDeletedBlock::Kind kind) const {
    return Locked([&] {
      for (const auto& b : ibrs_)
        if (b.replica().block_id() == block && b.kind() == kind) return b.replica().num_bytes();
      return uint64_t{0};
    });
  }

 private:
  BlockKeyRing keys_;
  mutable std::mutex mu_;
  bool available_ = false;
  int attempts_ = 0;
  int registrations_ = 0;
  RegisterDatanodeRequest last_register_;
  std::vector<BlockReportRequest> full_reports_;
  std::vector<HeartbeatRequest> heartbeats_;
  std::vector<ReceivedDeletedBlock> ibrs_;
  std::deque<HeartbeatResponse> replies_;
  std::vector<ReportBadBlocksRequest> bad_reports_;
  std::vector<CommitBlockSynchronizationRequest> commits_;
};

class FakeClient : public NamenodeClient {
 public:
  explicit FakeClient(std::shared_ptr<FakeNamenode> nn) : nn_(std::move(nn)) {}
  Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest& r) override { return nn_->Register(r); }
  Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest& r) override { return nn_->Heartbeat(r); }
  Status BlockReport(const BlockReportRequest& r) override { return nn_->BlockReport(r); }
  Status BlockReceivedAndDeleted(const IncrementalBlockReportRequest& r) override { return nn_->Incremental(r); }
  Status ReportBadBlocks(const ReportBadBlocksRequest& r) override { return nn_->ReportBadBlocks(r); }
  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& r) override {
    return nn_->CommitBlockSynchronization(r);
  }

 private:
  std::shared_ptr<FakeNamenode> nn_;
};

TEST(ReportQueueTest, CoalescesPerBlockAndKeepsOrder) {
  ReportQueue q;
  ReplicaInfo a{1, 10, ReplicaState::kRbw, 0, 0, {}, "DS-1", 0};
  ReplicaInfo b{2, 20, ReplicaState::kRbw, 0, 0, {}, "DS-1", 0};
  EXPECT_EQ(q.oldest_ms(), -1);
  q.OnReceiving(a);
  q.OnReceiving(b);
  a.state = ReplicaState::kFinalized;
  a.bytes_on_disk = a.bytes_acked = 100;
  q.OnReceived(a);  // replaces a's RECEIVING
  EXPECT_GE(q.oldest_ms(), 0);
  auto events = q.Take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].replica().block_id(), 2u);
  EXPECT_EQ(events[0].kind(), ReceivedDeletedBlock::RECEIVING);
  EXPECT_EQ(events[1].replica().block_id(), 1u);
  EXPECT_EQ(events[1].kind(), ReceivedDeletedBlock::RECEIVED);
  EXPECT_EQ(events[1].replica().num_bytes(), 100u);
  EXPECT_EQ(events[1].replica().storage_id(), "DS-1");
  EXPECT_TRUE(q.Take().empty());
  // A failed send comes back, unless a newer event for the block arrived meanwhile.
  q.OnDeleted(b);
  q.PutBack(events);
  auto again = q.Take();
  ASSERT_EQ(again.size(), 2u);
  for (const auto& e : again) {
    if (e.replica().block_id() == 2) EXPECT_EQ(e.kind(), ReceivedDeletedBlock::DELETED);
    else EXPECT_EQ(e.kind(), ReceivedDeletedBlock::RECEIVED);
  }
  EXPECT_FALSE(q.TakeFullReportRequest());
  q.OnVolumeFailed("DS-1", "gone");
  EXPECT_TRUE(q.TakeFullReportRequest());
  EXPECT_FALSE(q.TakeFullReportRequest());
}

class DatanodeTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = cairn::testing::MakeTempDir("datanode"); }
  void TearDown() override {
    dn_.reset();
    cairn::testing::RemoveTree(dir_);
  }
  void Start() {
    DatanodeSettings s;
    s.namenode = "127.0.0.1:1";  // unused: the fake client answers
    s.data_dirs = dir_ + "/d1," + dir_ + "/d2";
    s.xfer_port = 0;
    s.port_file = dir_ + "/ports";
    s.rack = "/rack7";
    s.socket_timeout_ms = 10000;
    auto dn = Datanode::Start(s, std::make_unique<FakeClient>(nn_));
    ASSERT_TRUE(dn.ok()) << dn.status().ToString();
    dn_ = std::move(dn).value();
  }
  std::string dir_;
  std::shared_ptr<FakeNamenode> nn_ = std::make_shared<FakeNamenode>();
  std::unique_ptr<Datanode> dn_;
};

TEST_F(DatanodeTest, RegistersOnceTheNamenodeIsUpThenReports) {
  Start();
  std::ifstream ports(dir_ + "/ports");
  std::string line;
  std::getline(ports, line);
  EXPECT_EQ(line, "xfer_port=" + std::to_string(dn_->xfer_port()));
  // The namenode is down: the datanode keeps trying. Without the namenode's keys it cannot
  // check block access tokens, so it refuses block ops (and stores nothing).
  ASSERT_EVENTUALLY_OK([&] { return nn_->attempts() >= 3; });
  EXPECT_EQ(nn_->registrations(), 0);
  std::string early = RandomBytes(5000, 1);
  WriteOptions o;
  o.token = nn_->Token(100);
  auto refused = WriteBlock(dn_->xfer_port(), {}, 100, early, o);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->setup.status(), hh::ERROR_ACCESS_TOKEN) << refused->setup.message();
  EXPECT_EQ(dn_->store().GetReplica(100).status().code(), ErrorCode::kNotFound);

  nn_->SetAvailable(true);
  ASSERT_EVENTUALLY_OK([&] { return nn_->registrations() == 1 && nn_->full_reports() >= 1 && nn_->heartbeats() >= 2; });
  ASSERT_TRUE(WriteBlock(dn_->xfer_port(), {}, 100, early, o)->AllAcksSucceeded(1));
  RegisterDatanodeRequest reg = nn_->last_register();
  EXPECT_EQ(reg.id().ipaddr(), "127.0.0.1");
  EXPECT_EQ(reg.id().xferport(), static_cast<uint32_t>(dn_->xfer_port()));
  EXPECT_EQ(reg.id().datanodeuuid(), dn_->store().datanode_uuid());
  EXPECT_EQ(reg.rack_hint(), "/rack7");
  EXPECT_EQ(reg.volumes_size(), 2);
  // The write is reported.
  ASSERT_EVENTUALLY_OK([&] {
    bool reported = nn_->HasIbr(100, ReceivedDeletedBlock::RECEIVED);
    for (const auto& r : nn_->last_full_report().replicas()) reported |= r.block_id() == 100 && r.num_bytes() == 5000;
    return reported;
  });
  ASSERT_EVENTUALLY_OK([&] { return nn_->last_heartbeat().dfs_used() >= 5000u; });
  HeartbeatRequest hb = nn_->last_heartbeat();
  EXPECT_EQ(hb.datanode_uuid(), dn_->store().datanode_uuid());
  EXPECT_GT(hb.capacity(), 0u);
  EXPECT_GT(hb.remaining(), 0u);
  EXPECT_GE(hb.dfs_used(), 5000u);
  EXPECT_EQ(hb.volumes_size(), 2);
  EXPECT_EQ(hb.failed_volumes(), 0u);
  EXPECT_GT(hb.resources().cpu_slots(), 0u);
  // The cluster id is remembered in every volume's VERSION.
  auto version = cairn::testing::ReadLocalFile(dir_ + "/d1/current/VERSION");
  ASSERT_TRUE(version.ok());
  EXPECT_NE(version->find("clusterID=CID-test"), std::string::npos);

  // New replicas are reported promptly: RECEIVING, then RECEIVED with the length.
  std::string data = RandomBytes(70000, 2);
  o.token = nn_->Token(101);
  ASSERT_TRUE(WriteBlock(dn_->xfer_port(), {}, 101, data, o)->AllAcksSucceeded(1));
  ASSERT_EVENTUALLY_OK([&] { return nn_->HasIbr(101, ReceivedDeletedBlock::RECEIVED); });
  EXPECT_EQ(nn_->IbrBytes(101, ReceivedDeletedBlock::RECEIVED), data.size());
}

TEST_F(DatanodeTest, ExecutesDeleteAndReplicateCommands) {
  nn_->SetAvailable(true);
  Start();
  ASSERT_EVENTUALLY_OK([&] { return nn_->heartbeats() >= 1; });  // registered, keys adopted
  std::string data = RandomBytes(200000, 3);
  WriteOptions o;
  o.token = nn_->Token(200);
  ASSERT_TRUE(WriteBlock(dn_->xfer_port(), {}, 200, data, o)->AllAcksSucceeded(1));
  o.token = nn_->Token(201);
  ASSERT_TRUE(WriteBlock(dn_->xfer_port(), {}, 201, "doomed", o)->AllAcksSucceeded(1));

  // The target checks tokens with the same keys: the source signs its own WRITE token.
  const BlockKeysProto keys = nn_->keys();
  auto target = StartNodeOn({}, 1, IoEngineKind::kUring, 10000, &keys);
  ASSERT_TRUE(target.ok());
  HeartbeatResponse reply;
  auto* rep = reply.add_commands()->mutable_replicate();
  rep->mutable_block()->set_poolid("BP-test");
  rep->mutable_block()->set_blockid(200);
  rep->mutable_block()->set_generationstamp(1000);
  rep->mutable_block()->set_numbytes(data.size());
  *rep->add_targets() = NodeInfo((*target)->port());
  auto* del = reply.add_commands()->mutable_delete_();
  auto* b = del->add_blocks();
  b->set_poolid("BP-test");
  b->set_blockid(201);
  b->set_generationstamp(1000);
  nn_->Reply(reply);

  ASSERT_EVENTUALLY_OK([&] { return nn_->HasIbr(201, ReceivedDeletedBlock::DELETED); });
  EXPECT_EQ(dn_->store().GetReplica(201).status().code(), ErrorCode::kNotFound);
  ASSERT_EVENTUALLY_OK([&] {
    auto r = (*target)->store->GetReplica(200);
    return r.ok() && r->state == ReplicaState::kFinalized;
  });
  auto copy = ReadBlock((*target)->port(), 200, 1000, 0, data.size(), true, nn_->Token(200, kBlockRead));
  ASSERT_TRUE(copy.ok());
  EXPECT_BYTES_EQ(copy->data, data);
  EXPECT_EQ((*target)->listener.Count('R', 200), 1);
}

TEST_F(DatanodeTest, ReregistersAndRecoversFromNamenodeOutage) {
  nn_->SetAvailable(true);
  Start();
  ASSERT_EVENTUALLY_OK([&] { return nn_->registrations() == 1 && nn_->full_reports() == 1; });
  HeartbeatResponse again;
  again.set_reregister(true);
  nn_->Reply(again);
  ASSERT_EVENTUALLY_OK([&] { return nn_->registrations() == 2 && nn_->full_reports() == 2; });
  HeartbeatResponse report;
  report.set_send_full_report(true);
  nn_->Reply(report);
  ASSERT_EVENTUALLY_OK([&] { return nn_->full_reports() == 3; });

  // The namenode goes away; writes go on; their reports arrive once it is back.
  nn_->SetAvailable(false);
  WriteOptions o;
  o.token = nn_->Token(300);
  ASSERT_TRUE(WriteBlock(dn_->xfer_port(), {}, 300, RandomBytes(1000, 4), o)->AllAcksSucceeded(1));
  auto r = ReadBlock(dn_->xfer_port(), 300, 1000, 0, 1000, true, nn_->Token(300));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->response.status(), hh::SUCCESS);
  nn_->SetAvailable(true);
  ASSERT_EVENTUALLY_OK([&] { return nn_->HasIbr(300, ReceivedDeletedBlock::RECEIVED); });
}

}  // namespace
}  // namespace cairn::datanode
