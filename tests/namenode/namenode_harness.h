// NamenodeHarness: an in-process namenode over a temporary RocksDB directory, without
// servers, for unit tests of the namespace, the operations and the block machinery.
// Operations are called directly (namenode/ops/ops.h) as a given user; fake datanodes
// register and report through the same managers the gRPC datanode service uses.
//
// Thread-safety: one test thread, except where a test spawns its own threads to call ops.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "namenode/namenode.h"
#include "namenode/ops/ops.h"
#include "tests/support/test_util.h"

namespace cairn::namenode::testing {

namespace hh = ::hadoop::hdfs;

class NamenodeHarness {
 public:
  explicit NamenodeHarness(std::function<void(NamenodeSettings&)> tweak = {}) : tweak_(std::move(tweak)) {
    dir_ = cairn::testing::MakeTempDir("nn");
    Open();
  }
  ~NamenodeHarness() {
    node_.reset();
    cairn::testing::RemoveTree(dir_);
  }

  NamenodeSettings Settings() const {
    NamenodeSettings s;
    s.name_dir = dir_ + "/name";
    s.superuser = "hdfs";
    s.supergroup = "supergroup";
    s.user_groups = "alice=alice,staff;bob=bob;carol=carol,staff;admin=admin,supergroup";
    s.safemode_threshold = 0;
    s.default_block_size.bytes = 1 << 20;
    s.default_replication = 3;
    s.complete_wait_ms = 300;
    s.heartbeat_interval_ms = 3000;  // nodes go stale after 10 intervals without heartbeats
    s.replication_interval_ms = 1;
    if (tweak_) tweak_(s);
    return s;
  }

  void Open() {
    auto nn = Namenode::Create(Settings());
    ASSERT_TRUE(nn.ok()) << nn.status().ToString();
    node_ = std::move(nn).value();
  }
  // Closes the store and loads it again, as a restart would.
  void Reopen() {
    node_.reset();
    Open();
  }

  Namenode& node() { return *node_; }
  NameSystem& nn() { return node_->name_system(); }
  const std::string& dir() const { return dir_; }

  CallContext As(const std::string& user, const std::string& address = "10.0.0.99") {
    CallContext c;
    c.user = user;
    c.groups = node_->groups().GroupsFor(user);
    c.client_address = address;
    return c;
  }
  CallContext Super() { return As("hdfs"); }

  // --- Operations, as `caller` (the superuser by default) ------------------------------
  Status Mkdirs(const std::string& path, uint32_t perm = 0755, bool parents = true) { return Mkdirs(Super(), path, perm, parents); }
  Status Mkdirs(const CallContext& c, const std::string& path, uint32_t perm = 0755, bool parents = true) {
    hh::MkdirsRequestProto req;
    req.set_src(path);
    req.mutable_masked()->set_perm(perm);
    req.set_createparent(parents);
    hh::MkdirsResponseProto resp;
    return namenode::Mkdirs(nn(), c, req, &resp);
  }

  Result<hh::HdfsFileStatusProto> Create(const CallContext& c, const std::string& path, const std::string& client = "client-1",
                                         uint32_t flags = hh::CREATE, uint32_t perm = 0644, uint32_t replication = 3,
                                         bool parents = true) {
    hh::CreateRequestProto req;
    req.set_src(path);
    req.mutable_masked()->set_perm(perm);
    req.set_clientname(client);
    req.set_createflag(flags);
    req.set_createparent(parents);
    req.set_replication(replication);
    req.set_blocksize(1 << 20);
    hh::CreateResponseProto resp;
    Status st = namenode::Create(nn(), c, req, &resp);
    if (!st.ok()) return st;
    return resp.fs();
  }
  Result<hh::HdfsFileStatusProto> Create(const std::string& path, const std::string& client = "client-1",
                                         uint32_t flags = hh::CREATE) {
    return Create(Super(), path, client, flags);
  }

  Result<bool> Complete(const std::string& path, const std::string& client = "client-1",
                        const hh::ExtendedBlockProto* last = nullptr) {
    hh::CompleteRequestProto req;
    req.set_src(path);
    req.set_clientname(client);
    if (last != nullptr) *req.mutable_last() = *last;
    hh::CompleteResponseProto resp;
    Status st = namenode::Complete(nn(), Super(), req, &resp);
    if (!st.ok()) return st;
    return resp.result();
  }

  // An empty file, created and closed.
  Status Touch(const std::string& path) {
    auto st = Create(path, "toucher");
    if (!st.ok()) return st.status();
    auto done = Complete(path, "toucher");
    if (!done.ok()) return done.status();
    return *done ? Status::OK() : Internal("complete of empty file {} returned false", path);
  }

  Result<hh::LocatedBlockProto> AddBlock(const std::string& path, const std::string& client = "client-1",
                                         const hh::ExtendedBlockProto* previous = nullptr,
                                         const std::string& address = "10.0.0.99") {
    hh::AddBlockRequestProto req;
    req.set_src(path);
    req.set_clientname(client);
    if (previous != nullptr) *req.mutable_previous() = *previous;
    hh::AddBlockResponseProto resp;
    Status st = namenode::AddBlock(nn(), As("hdfs", address), req, &resp);
    if (!st.ok()) return st;
    return resp.block();
  }

  // Status of a path; nullopt when it does not exist.
  std::optional<hh::HdfsFileStatusProto> Stat(const std::string& path) {
    hh::GetFileInfoRequestProto req;
    req.set_src(path);
    hh::GetFileInfoResponseProto resp;
    Status st = namenode::GetFileInfo(nn(), Super(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!resp.has_fs()) return std::nullopt;
    return resp.fs();
  }

  Result<bool> Delete(const CallContext& c, const std::string& path, bool recursive) {
    hh::DeleteRequestProto req;
    req.set_src(path);
    req.set_recursive(recursive);
    hh::DeleteResponseProto resp;
    Status st = namenode::Delete(nn(), c, req, &resp);
    if (!st.ok()) return st;
    return resp.result();
  }
  Result<bool> Delete(const std::string& path, bool recursive) { return Delete(Super(), path, recursive); }

  // --- Fake datanodes -----------------------------------------------------------------
  uint32_t AddDatanode(const std::string& uuid, const std::string& ip, int port, const std::string& rack,
                       uint64_t remaining = 1ull << 40) {
    RegisterDatanodeRequest req;
    auto* id = req.mutable_id();
    id->set_ipaddr(ip);
    id->set_hostname(ip);
    id->set_datanodeuuid(uuid);
    id->set_xferport(static_cast<uint32_t>(port));
    id->set_infoport(0);
    id->set_ipcport(0);
    req.set_rack_hint(rack);
    auto* vol = req.add_volumes();
    vol->set_storage_id("DS-" + uuid);
    vol->set_capacity(remaining);
    vol->set_remaining(remaining);
    auto reg = nn().datanodes.Register(req, ip);
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    if (reg->replaced) nn().blocks.NodeDied(*reg->replaced);
    nn().blocks.NodeRegistered(reg->index);
    nn().blocks.SetDecommissioning(reg->index, reg->admin != AdminState::kNormal);
    return reg->index;
  }

  void Report(uint32_t node, uint64_t block_id, uint64_t gen_stamp, uint64_t length,
              ReceivedDeletedBlock::Kind kind = ReceivedDeletedBlock::RECEIVED) {
    IncrementalBlockReportRequest req;
    auto* b = req.add_blocks();
    b->set_kind(kind);
    b->mutable_replica()->set_block_id(block_id);
    b->mutable_replica()->set_gen_stamp(gen_stamp);
    b->mutable_replica()->set_num_bytes(length);
    b->mutable_replica()->set_state(kind == ReceivedDeletedBlock::RECEIVING ? BlockReplica::RBW
                                                                             : BlockReplica::FINALIZED);
    nn().blocks.ProcessIncrementalReport(node, req);
  }

  // Every command the node would get with its next heartbeat.
  HeartbeatResponse Heartbeat(const std::string& uuid) {
    HeartbeatRequest req;
    req.set_datanode_uuid(uuid);
    req.set_capacity(1ull << 40);
    req.set_remaining(1ull << 40);
    HeartbeatResponse resp;
    nn().datanodes.Heartbeat(req, &resp);
    return resp;
  }

 private:
  std::function<void(NamenodeSettings&)> tweak_;
  std::string dir_;
  std::unique_ptr<Namenode> node_;
};

inline hh::ExtendedBlockProto WithLength(const hh::LocatedBlockProto& lb, uint64_t length) {
  hh::ExtendedBlockProto b = lb.b();
  b.set_numbytes(length);
  return b;
}

}  // namespace cairn::namenode::testing
