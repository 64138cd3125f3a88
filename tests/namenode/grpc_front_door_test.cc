// The gRPC front door in-process: a Namenode listening on an ephemeral port, called with
// the generated cairn::ClientNamenode stub (user in x-cairn-user), raw generic calls for
// malformed requests and unknown methods, the health service and the datanode protocol.
#include <future>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "cairn/datanode_protocol.grpc.pb.h"
#include "cairn/namenode.grpc.pb.h"
#include "common/grpc_status.h"
#include "namenode/rpc/datanode_service.h"
#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

class GrpcFrontDoorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = cairn::testing::MakeTempDir("nn-grpc");
    NamenodeSettings s;
    s.name_dir = dir_ + "/name";
    s.bind_host = "127.0.0.1";
    s.rpc_port = 0;
    s.ipc_port = 0;  // any free port: both front doors must appear in the port file
    s.superuser = "hdfs";
    s.user_groups = "alice=alice";
    s.port_file = dir_ + "/ports";
    s.safemode_threshold = 0;
    ASSERT_OK_AND_ASSIGN(node_, Namenode::Create(s));
    ASSERT_OK(node_->Start());
    ASSERT_GT(node_->rpc_port(), 0);
    channel_ = grpc::CreateChannel(fmt::format("127.0.0.1:{}", node_->rpc_port()), grpc::InsecureChannelCredentials());
    stub_ = ClientNamenode::NewStub(channel_);
  }
  void TearDown() override {
    node_->Stop();
    node_.reset();
    cairn::testing::RemoveTree(dir_);
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& user) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!user.empty()) ctx->AddMetadata(kUserMetadataKey, user);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  grpc::Status RawCall(const std::string& method, const std::string& body, std::string* reply) {
    grpc::GenericStub generic(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                      [&](grpc::Status st) { done.set_value(st); });
    grpc::Status st = done.get_future().get();
    if (st.ok() && reply != nullptr) {
      std::vector<grpc::Slice> slices;
      (void)response.Dump(&slices);
      reply->clear();
      for (const auto& s : slices) reply->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return st;
  }

  std::string dir_;
  std::unique_ptr<Namenode> node_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<ClientNamenode::Stub> stub_;
};

TEST_F(GrpcFrontDoorTest, PortFileIsWritten) {
  auto ports = cairn::testing::ReadLocalFile(dir_ + "/ports");
  ASSERT_OK(ports.status());
  ASSERT_GT(node_->ipc_port(), 0);
  EXPECT_EQ(*ports, fmt::format("rpc_port={}\nipc_port={}\n", node_->rpc_port(), node_->ipc_port()));
}

TEST_F(GrpcFrontDoorTest, MkdirsAndGetFileInfoAsTheCaller) {
  hh::MkdirsRequestProto mk;
  mk.set_src("/home/x");
  mk.mutable_masked()->set_perm(0755);
  mk.set_createparent(true);
  hh::MkdirsResponseProto mr;
  ASSERT_TRUE(stub_->Mkdirs(As("hdfs").get(), mk, &mr).ok());
  EXPECT_TRUE(mr.result());

  hh::GetFileInfoRequestProto gi;
  gi.set_src("/home/x");
  hh::GetFileInfoResponseProto gr;
  ASSERT_TRUE(stub_->GetFileInfo(As("alice").get(), gi, &gr).ok());
  ASSERT_TRUE(gr.has_fs());
  EXPECT_EQ(gr.fs().owner(), "hdfs");
  EXPECT_EQ(gr.fs().filetype(), hh::HdfsFileStatusProto::IS_DIR);

  gi.set_src("/home/none");
  ASSERT_TRUE(stub_->GetFileInfo(As("alice").get(), gi, &gr).ok());
  EXPECT_FALSE(gr.has_fs());

  // alice may not write into hdfs's directory; the Status round-trips exactly.
  mk.set_src("/home/x/alice");
  grpc::Status denied = stub_->Mkdirs(As("alice").get(), mk, &mr);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Status back = FromGrpcStatus(denied);
  EXPECT_EQ(back.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(back.message().find("user=alice, access=WRITE"), std::string::npos);

  // Without metadata the caller is "nobody".
  grpc::ClientContext anonymous;
  grpc::Status nobody = stub_->Mkdirs(&anonymous, mk, &mr);
  EXPECT_NE(FromGrpcStatus(nobody).message().find("user=nobody"), std::string::npos);
}

TEST_F(GrpcFrontDoorTest, CreateWriteCloseOverGrpc) {
  hh::CreateRequestProto cr;
  cr.set_src("/f");
  cr.mutable_masked()->set_perm(0644);
  cr.set_clientname("grpc-client");
  cr.set_createflag(hh::CREATE);
  cr.set_createparent(true);
  cr.set_replication(1);
  cr.set_blocksize(1 << 20);
  hh::CreateResponseProto cresp;
  ASSERT_TRUE(stub_->Create(As("hdfs").get(), cr, &cresp).ok());
  EXPECT_TRUE(cresp.fs().IsInitialized());
  grpc::Status again = stub_->Create(As("hdfs").get(), cr, &cresp);
  EXPECT_EQ(FromGrpcStatus(again).code(), ErrorCode::kAlreadyBeingCreated);
  hh::CompleteRequestProto cp;
  cp.set_src("/f");
  cp.set_clientname("grpc-client");
  hh::CompleteResponseProto cpr;
  ASSERT_TRUE(stub_->Complete(As("hdfs").get(), cp, &cpr).ok());
  EXPECT_TRUE(cpr.result());
  FsckRequest fr;
  fr.set_path("/");
  FsckResponse fresp;
  ASSERT_TRUE(stub_->Fsck(As("hdfs").get(), fr, &fresp).ok());
  EXPECT_EQ(fresp.total_files(), 1u);
  EXPECT_TRUE(fresp.healthy());
}

TEST_F(GrpcFrontDoorTest, MalformedRequestsAndUnknownMethods) {
  std::string reply;
  EXPECT_EQ(RawCall("/cairn.ClientNamenode/GetFileInfo", "\xff\xff\xff", &reply).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // An empty message lacks the required src.
  EXPECT_EQ(RawCall("/cairn.ClientNamenode/GetFileInfo", "", &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(RawCall("/cairn.ClientNamenode/NoSuchMethod", "", &reply).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(RawCall("/other.Service/GetFileInfo", "", &reply).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  hh::GetFileInfoRequestProto ok;
  ok.set_src("/");
  ASSERT_TRUE(RawCall("/cairn.ClientNamenode/GetFileInfo", ok.SerializeAsString(), &reply).ok());
  hh::GetFileInfoResponseProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(reply));
  EXPECT_EQ(parsed.fs().fileid(), kRootInodeId);
  // An invalid path inside a well-formed request is the handler's kInvalidArgument.
  hh::GetFileInfoRequestProto bad;
  bad.set_src("not/absolute");
  hh::GetFileInfoResponseProto br;
  EXPECT_EQ(stub_->GetFileInfo(As("hdfs").get(), bad, &br).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GrpcFrontDoorTest, HealthServiceAnswersServing) {
  std::string reply;
  ASSERT_TRUE(RawCall("/grpc.health.v1.Health/Check", "", &reply).ok());
  EXPECT_EQ(reply, std::string("\x08\x01", 2));  // status: SERVING
}

// Until daemons carry certificates, a datanode is where it registered from: nobody else
// may take over its uuid while it lives, or heartbeat (and so fetch the block keys),
// report blocks or commit recoveries in its name.
TEST_F(GrpcFrontDoorTest, StrangersCannotActAsARegisteredDatanode) {
  ThreadPool pool("dn-test", 1, 16);
  DrainGate gate;
  DatanodeService svc(node_->name_system(), pool, gate);
  RegisterDatanodeRequest reg;
  auto* id = reg.mutable_id();
  id->set_ipaddr("10.0.0.5");
  id->set_hostname("dn5");
  id->set_datanodeuuid("uuid-5");
  id->set_xferport(50010);
  id->set_infoport(0);
  id->set_ipcport(0);
  RegisterDatanodeResponse rr;
  ASSERT_TRUE(svc.DoRegister(reg, "10.0.0.5", &rr).ok());
  EXPECT_GT(rr.block_keys().keys_size(), 0);

  RegisterDatanodeRequest moved = reg;
  moved.mutable_id()->set_ipaddr("10.0.0.66");
  RegisterDatanodeResponse refused;
  EXPECT_EQ(svc.DoRegister(moved, "10.0.0.66", &refused).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(svc.DoRegister(reg, "10.0.0.66", &refused).code(), ErrorCode::kPermissionDenied);  // claims its address
  EXPECT_FALSE(refused.has_block_keys());

  HeartbeatRequest hb;
  hb.set_datanode_uuid("uuid-5");
  HeartbeatResponse hr;
  EXPECT_EQ(svc.DoHeartbeat(hb, "10.0.0.66", &hr).code(), ErrorCode::kPermissionDenied);
  EXPECT_FALSE(hr.has_block_keys());
  BlockReportRequest br;
  br.set_datanode_uuid("uuid-5");
  EXPECT_EQ(svc.DoBlockReport(br, "10.0.0.66").code(), ErrorCode::kPermissionDenied);
  IncrementalBlockReportRequest ibr;
  ibr.set_datanode_uuid("uuid-5");
  EXPECT_EQ(svc.DoIncrementalReport(ibr, "10.0.0.66").code(), ErrorCode::kPermissionDenied);
  ReportBadBlocksRequest bad;
  bad.set_datanode_uuid("uuid-5");
  EXPECT_EQ(svc.DoReportBadBlocks(bad, "10.0.0.66").code(), ErrorCode::kPermissionDenied);
  CommitBlockSynchronizationRequest commit;
  EXPECT_EQ(svc.DoCommitBlockSynchronization(commit, "10.0.0.66").code(), ErrorCode::kPermissionDenied);

  // The node itself goes on, and may register again from where it is (a restart).
  EXPECT_TRUE(svc.DoHeartbeat(hb, "10.0.0.5", &hr).ok());
  EXPECT_FALSE(hr.reregister());
  EXPECT_TRUE(svc.DoBlockReport(br, "10.0.0.5").ok());
  EXPECT_TRUE(svc.DoRegister(reg, "10.0.0.5", &rr).ok());
  auto index = node_->name_system().datanodes.Lookup("uuid-5");
  ASSERT_TRUE(index.has_value());
  auto view = node_->name_system().datanodes.View(*index);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->ip, "10.0.0.5");
  EXPECT_EQ(view->xfer_port, 50010);
}

TEST_F(GrpcFrontDoorTest, DatanodeRegistersAndHeartbeats) {
  auto dn = DatanodeProtocol::NewStub(channel_);
  RegisterDatanodeRequest reg;
  auto* id = reg.mutable_id();
  id->set_ipaddr("0.0.0.0");  // wildcard: the namenode uses the peer address
  id->set_hostname("dn-host");
  id->set_datanodeuuid("uuid-1");
  id->set_xferport(50010);
  id->set_infoport(0);
  id->set_ipcport(0);
  reg.set_rack_hint("rackA");
  auto* vol = reg.add_volumes();
  vol->set_storage_id("DS-1");
  vol->set_capacity(1000);
  vol->set_remaining(900);
  RegisterDatanodeResponse rr;
  grpc::ClientContext c1;
  ASSERT_TRUE(dn->RegisterDatanode(&c1, reg, &rr).ok());
  EXPECT_EQ(rr.rack(), "/rackA");
  EXPECT_EQ(rr.block_pool_id(), node_->name_system().ns.block_pool_id());
  EXPECT_FALSE(rr.cluster_id().empty());
  HeartbeatRequest hb;
  hb.set_datanode_uuid("uuid-1");
  hb.set_capacity(1000);
  hb.set_remaining(800);
  hb.set_dfs_used(100);
  HeartbeatResponse hr;
  grpc::ClientContext c2;
  ASSERT_TRUE(dn->Heartbeat(&c2, hb, &hr).ok());
  EXPECT_FALSE(hr.reregister());
  hb.set_datanode_uuid("uuid-unknown");
  grpc::ClientContext c3;
  ASSERT_TRUE(dn->Heartbeat(&c3, hb, &hr).ok());
  EXPECT_TRUE(hr.reregister());
  hh::GetDatanodeReportRequestProto dr;
  dr.set_type(hh::LIVE);
  hh::GetDatanodeReportResponseProto drr;
  ASSERT_TRUE(stub_->GetDatanodeReport(As("hdfs").get(), dr, &drr).ok());
  ASSERT_EQ(drr.di_size(), 1);
  EXPECT_EQ(drr.di(0).id().ipaddr(), "127.0.0.1");
  EXPECT_EQ(drr.di(0).remaining(), 800u);
  EXPECT_EQ(drr.di(0).location(), "/rackA");
  grpc::ClientContext c4;
  CommitBlockSynchronizationRequest cbs;
  CommitBlockSynchronizationResponse cbr;
  // The end of a block recovery, for a block nobody knows.
  EXPECT_EQ(dn->CommitBlockSynchronization(&c4, cbs, &cbr).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace cairn::namenode::testing
