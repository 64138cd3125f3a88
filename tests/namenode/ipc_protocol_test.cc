// The namenode's Hadoop IPC front door at the byte level, against a real cairn-namenode:
// the handshake variants stock clients use (plain, SASL negotiate with SIMPLE), many calls
// in flight per connection answered out of order, pings, idle close, and every kind of bad
// input — garbage or HTTP instead of a preamble, a wrong version, truncated frames, an
// oversized length, an unparseable request, an unknown method. A bad connection gets an
// error reply or is closed; the namenode keeps serving everyone else.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/clock.h"
#include "common/endian.h"
#include "common/process_memory.h"
#include "common/proto_io.h"
#include "common/socket.h"
#include "hadoop/ClientNamenodeProtocol.pb.h"
#include "hadoop/IpcConnectionContext.pb.h"
#include "hadoop/ProtobufRpcEngine.pb.h"
#include "hadoop/RpcHeader.pb.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/shared_cluster.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

namespace hc = hadoop::common;
namespace hh = hadoop::hdfs;
using testing::MiniCluster;
using testing::MiniClusterOptions;

constexpr int kIdleTimeoutMs = 1500;
constexpr int kRequestTimeoutMs = 2000;
constexpr int kCompleteWaitMs = 3000;

hc::RequestHeaderProto ClientProtocolHeader(const std::string& method) {
  hc::RequestHeaderProto rh;
  rh.set_methodname(method);
  rh.set_declaringclassprotocolname("org.apache.hadoop.hdfs.protocol.ClientProtocol");
  rh.set_clientprotocolversion(1);
  return rh;
}

// A minimal Hadoop IPC client that can also misbehave on purpose.
class RawIpcClient {
 public:
  static Result<std::unique_ptr<RawIpcClient>> Connect(const std::string& address) {
    ASSIGN_OR_RETURN(HostPort hp, HostPort::Parse(address));
    ASSIGN_OR_RETURN(Socket s, ConnectTcp(hp, 5000));
    RETURN_IF_ERROR(s.SetTimeouts(10000, 10000));
    return std::unique_ptr<RawIpcClient>(new RawIpcClient(std::move(s)));
  }

  Status SendRaw(std::string_view bytes) { return socket_.WriteFully(bytes); }
  Status SendPreamble(uint8_t version = 9, uint8_t auth = 0) {
    const char pre[7] = {'h', 'r', 'p', 'c', static_cast<char>(version), 0, static_cast<char>(auth)};
    return SendRaw({pre, 7});
  }
  hc::RpcRequestHeaderProto Header(int32_t call_id) const {
    hc::RpcRequestHeaderProto h;
    h.set_rpckind(hc::RPC_PROTOCOL_BUFFER);
    h.set_rpcop(hc::RpcRequestHeaderProto::RPC_FINAL_PACKET);
    h.set_callid(call_id);
    h.set_clientid(std::string(16, 'c'));
    return h;
  }
  static std::string Frame(std::initializer_list<const google::protobuf::MessageLite*> parts) {
    std::string out(4, '\0');
    for (const auto* p : parts) AppendDelimited(*p, &out);
    StoreBigEndian32(reinterpret_cast<uint8_t*>(out.data()), static_cast<uint32_t>(out.size() - 4));
    return out;
  }
  Status SendContext(const std::string& user) {
    hc::IpcConnectionContextProto ctx;
    ctx.mutable_userinfo()->set_effectiveuser(user);
    ctx.set_protocol("org.apache.hadoop.hdfs.protocol.ClientProtocol");
    auto h = Header(-3);
    return SendRaw(Frame({&h, &ctx}));
  }
  Status Handshake(const std::string& user) {
    RETURN_IF_ERROR(SendPreamble());
    return SendContext(user);
  }
  Status SendCall(int32_t call_id, const std::string& method, const google::protobuf::MessageLite& request) {
    return SendRaw(CallFrame(call_id, method, request));
  }
  std::string CallFrame(int32_t call_id, const std::string& method, const google::protobuf::MessageLite& request) const {
    auto h = Header(call_id);
    auto rh = ClientProtocolHeader(method);
    return Frame({&h, &rh, &request});
  }
  // Reads one reply frame; the body (after the header) is parsed into response if given.
  Status ReadReply(hc::RpcResponseHeaderProto* header, google::protobuf::MessageLite* response = nullptr) {
    uint8_t len_bytes[4];
    RETURN_IF_ERROR(reader_.ReadFully(len_bytes, 4));
    std::string frame(LoadBigEndian32(len_bytes), '\0');
    RETURN_IF_ERROR(reader_.ReadFully(frame.data(), frame.size()));
    std::string_view view = frame;
    RETURN_IF_ERROR(ConsumeDelimited(&view, header));
    if (response && header->status() == hc::RpcResponseHeaderProto::SUCCESS) RETURN_IF_ERROR(ConsumeDelimited(&view, response));
    return Status::OK();
  }
  // True when the server closed the connection (EOF) before timeout_ms.
  bool ClosedByServer(int timeout_ms = 10000) {
    (void)socket_.SetTimeouts(timeout_ms, timeout_ms);
    for (;;) {
      char buf[4096];
      auto n = socket_.ReadSome(buf, sizeof buf);
      if (!n.ok()) return n.status().code() != ErrorCode::kTimedOut;
      if (*n == 0) return true;
    }
  }
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      auto n = socket_.ReadSome(buf, sizeof buf);
      if (!n.ok() || *n == 0) return out;
      out.append(buf, *n);
    }
  }
  Socket& socket() { return socket_; }

 private:
  explicit RawIpcClient(Socket s) : socket_(std::move(s)), reader_(&socket_) {}
  Socket socket_;
  BufferedReader reader_;
};

// Creates `path` with one block through `c` and returns a complete that claims 100 bytes no
// datanode ever received: it waits --namenode_complete_wait_ms for replicas that never come.
Result<hh::CompleteRequestProto> StuckComplete(RawIpcClient& c, const std::string& path, const std::string& client) {
  hc::RpcResponseHeaderProto h;
  hh::CreateRequestProto create;
  create.set_src(path);
  create.mutable_masked()->set_perm(0644);
  create.set_clientname(client);
  create.set_createflag(hh::CREATE);
  create.set_createparent(true);
  create.set_replication(1);
  create.set_blocksize(64 * 1024);
  RETURN_IF_ERROR(c.SendCall(1, "create", create));
  hh::CreateResponseProto created;
  RETURN_IF_ERROR(c.ReadReply(&h, &created));
  if (h.status() != hc::RpcResponseHeaderProto::SUCCESS) return Internal("create {}: {}", path, h.errormsg());
  hh::AddBlockRequestProto add;
  add.set_src(path);
  add.set_clientname(client);
  add.set_fileid(created.fs().fileid());
  RETURN_IF_ERROR(c.SendCall(2, "addBlock", add));
  hh::AddBlockResponseProto added;
  RETURN_IF_ERROR(c.ReadReply(&h, &added));
  if (h.status() != hc::RpcResponseHeaderProto::SUCCESS) return Internal("addBlock {}: {}", path, h.errormsg());
  hh::CompleteRequestProto complete;
  complete.set_src(path);
  complete.set_clientname(client);
  *complete.mutable_last() = added.block().b();
  complete.mutable_last()->set_numbytes(100);
  complete.set_fileid(created.fs().fileid());
  return complete;
}

class IpcProtocolTest : public cairn::testing::SharedClusterSuite<IpcProtocolTest> {
 public:
  static MiniClusterOptions ClusterOptions() {
    MiniClusterOptions opts;
    opts.datanodes = 1;
    opts.replication = 1;
    opts.block_size = 64 * 1024;
    opts.namenode_flags = {"--namenode_ipc_idle_timeout_ms=" + std::to_string(kIdleTimeoutMs),
                           "--namenode_complete_wait_ms=" + std::to_string(kCompleteWaitMs),
                           "--namenode_ipc_max_frame=1MiB",
                           "--namenode_ipc_request_timeout_ms=" + std::to_string(kRequestTimeoutMs),
                           "--namenode_ipc_max_reply_buffer=256KiB"};
    return opts;
  }

 protected:
  std::unique_ptr<RawIpcClient> Connect() {
    auto c = RawIpcClient::Connect(cluster_->hadoop_address());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  // A fresh, well-behaved client can still get an answer.
  void ExpectServingOthers() {
    auto c = Connect();
    ASSERT_NE(c, nullptr);
    ASSERT_OK(c->Handshake("root"));
    hh::GetFileInfoRequestProto req;
    req.set_src("/");
    ASSERT_OK(c->SendCall(0, "getFileInfo", req));
    hc::RpcResponseHeaderProto h;
    hh::GetFileInfoResponseProto resp;
    ASSERT_OK(c->ReadReply(&h, &resp));
    EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);
    EXPECT_EQ(h.callid(), 0u);
    EXPECT_EQ(resp.fs().filetype(), hh::HdfsFileStatusProto::IS_DIR);
  }
};

TEST_F(IpcProtocolTest, CallsAsTheConnectionContextUser) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->Handshake("root"));
  hh::MkdirsRequestProto mk;
  mk.set_src("/ipc-carol");
  mk.mutable_masked()->set_perm(0777);
  mk.set_createparent(true);
  ASSERT_OK(c->SendCall(1, "mkdirs", mk));
  hc::RpcResponseHeaderProto h;
  hh::MkdirsResponseProto mk_resp;
  ASSERT_OK(c->ReadReply(&h, &mk_resp));
  ASSERT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS) << h.errormsg();
  EXPECT_TRUE(mk_resp.result());

  auto carol = Connect();
  ASSERT_OK(carol->Handshake("carol"));
  mk.set_src("/ipc-carol/mine");
  ASSERT_OK(carol->SendCall(7, "mkdirs", mk));
  ASSERT_OK(carol->ReadReply(&h, &mk_resp));
  ASSERT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS) << h.errormsg();
  EXPECT_EQ(h.callid(), 7u);
  EXPECT_EQ(h.clientid(), std::string(16, 'c'));
  hh::GetFileInfoRequestProto info;
  info.set_src("/ipc-carol/mine");
  ASSERT_OK(carol->SendCall(8, "getFileInfo", info));
  hh::GetFileInfoResponseProto info_resp;
  ASSERT_OK(carol->ReadReply(&h, &info_resp));
  EXPECT_EQ(info_resp.fs().owner(), "carol");
}

TEST_F(IpcProtocolTest, SaslNegotiateIsAnsweredWithSuccessForSimpleAuth) {
  auto c = Connect();
  ASSERT_OK(c->SendPreamble(9, 0xDF));
  hc::RpcSaslProto negotiate;
  negotiate.set_state(hc::RpcSaslProto::NEGOTIATE);
  auto h = c->Header(-33);
  ASSERT_OK(c->SendRaw(RawIpcClient::Frame({&h, &negotiate})));
  hc::RpcResponseHeaderProto reply;
  hc::RpcSaslProto sasl;
  ASSERT_OK(c->ReadReply(&reply, &sasl));
  EXPECT_EQ(static_cast<int32_t>(reply.callid()), -33);
  EXPECT_EQ(sasl.state(), hc::RpcSaslProto::SUCCESS);
  ASSERT_OK(c->SendContext("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  ASSERT_OK(c->SendCall(0, "getFileInfo", req));
  hh::GetFileInfoResponseProto resp;
  ASSERT_OK(c->ReadReply(&reply, &resp));
  EXPECT_EQ(reply.status(), hc::RpcResponseHeaderProto::SUCCESS);
}

TEST_F(IpcProtocolTest, ApplicationErrorsNameTheJavaExceptionAndKeepTheConnection) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hc::RpcResponseHeaderProto h;
  hh::MkdirsRequestProto mk;
  mk.set_src("/ipc-errors/a");
  mk.mutable_masked()->set_perm(0755);
  mk.set_createparent(true);
  ASSERT_OK(c->SendCall(1, "mkdirs", mk));
  ASSERT_OK(c->ReadReply(&h));
  ASSERT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);

  struct Case {
    std::string method;
    std::unique_ptr<google::protobuf::Message> request;
    std::string exception;
  };
  std::vector<Case> cases;
  auto missing = std::make_unique<hh::GetListingRequestProto>();
  missing->set_src("relative/path");
  missing->set_startafter("");
  missing->set_needlocation(false);
  cases.push_back({"getListing", std::move(missing), "org.apache.hadoop.HadoopIllegalArgumentException"});
  auto not_empty = std::make_unique<hh::DeleteRequestProto>();
  not_empty->set_src("/ipc-errors");
  not_empty->set_recursive(false);
  cases.push_back({"delete", std::move(not_empty), "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException"});
  auto exists = std::make_unique<hh::Rename2RequestProto>();
  exists->set_src("/ipc-errors/a");
  exists->set_dst("/ipc-errors");
  exists->set_overwritedest(false);
  cases.push_back({"rename2", std::move(exists), "org.apache.hadoop.fs.FileAlreadyExistsException"});
  auto no_file = std::make_unique<hh::GetBlockLocationsRequestProto>();
  no_file->set_src("/ipc-errors/none");
  no_file->set_offset(0);
  no_file->set_length(1);
  cases.push_back({"getBlockLocations", std::move(no_file), "java.io.FileNotFoundException"});
  int id = 10;
  for (auto& c_ : cases) {
    ASSERT_OK(c->SendCall(id, c_.method, *c_.request));
    ASSERT_OK(c->ReadReply(&h));
    EXPECT_EQ(h.callid(), static_cast<uint32_t>(id));
    EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::ERROR) << c_.method;
    EXPECT_EQ(h.errordetail(), hc::RpcResponseHeaderProto::ERROR_APPLICATION) << c_.method;
    EXPECT_EQ(h.exceptionclassname(), c_.exception) << c_.method << ": " << h.errormsg();
    EXPECT_FALSE(h.errormsg().empty());
    ++id;
  }
  // The connection is still good after every error.
  ASSERT_OK(c->SendCall(99, "mkdirs", mk));
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);
}

TEST_F(IpcProtocolTest, UnknownMethodIsRpcNoSuchMethodAndTheConnectionStays) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  ASSERT_OK(c->SendCall(3, "setQuotaOnTheMoon", req));
  hc::RpcResponseHeaderProto h;
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.callid(), 3u);
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::ERROR);
  EXPECT_EQ(h.errordetail(), hc::RpcResponseHeaderProto::ERROR_NO_SUCH_METHOD);
  EXPECT_EQ(h.exceptionclassname(), "org.apache.hadoop.ipc.RpcNoSuchMethodException");
  ASSERT_OK(c->SendCall(4, "getFileInfo", req));
  hh::GetFileInfoResponseProto resp;
  ASSERT_OK(c->ReadReply(&h, &resp));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);
  EXPECT_EQ(h.callid(), 4u);
}

TEST_F(IpcProtocolTest, ManyCallsInFlightAreAllAnsweredAndPingsAreSilent) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  std::string burst;
  for (int i = 0; i < 200; ++i) {
    if (i % 50 == 0) {
      auto ping = c->Header(-4);
      burst += RawIpcClient::Frame({&ping});
    }
    auto h = c->Header(i);
    hc::RequestHeaderProto rh;
    rh.set_methodname("getFileInfo");
    rh.set_declaringclassprotocolname("org.apache.hadoop.hdfs.protocol.ClientProtocol");
    rh.set_clientprotocolversion(1);
    burst += RawIpcClient::Frame({&h, &rh, &req});
  }
  ASSERT_OK(c->SendRaw(burst));
  std::set<uint32_t> seen;
  for (int i = 0; i < 200; ++i) {
    hc::RpcResponseHeaderProto h;
    hh::GetFileInfoResponseProto resp;
    ASSERT_OK(c->ReadReply(&h, &resp));
    EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);
    EXPECT_TRUE(seen.insert(h.callid()).second) << "duplicate reply " << h.callid();
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(*seen.rbegin(), 199u);
}

TEST_F(IpcProtocolTest, ASlowCallDoesNotHoldBackLaterOnes) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hc::RpcResponseHeaderProto h;
  // complete claims 100 bytes no datanode ever received: it waits for replicas that never
  // come. A getFileInfo sent after it must be answered first.
  ASSERT_OK_AND_ASSIGN(hh::CompleteRequestProto complete, StuckComplete(*c, "/ipc-slow", "slow-client"));
  ASSERT_OK(c->SendCall(10, "complete", complete));
  hh::GetFileInfoRequestProto info;
  info.set_src("/");
  ASSERT_OK(c->SendCall(11, "getFileInfo", info));
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.callid(), 11u) << "the quick call waited behind the slow one";
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.callid(), 10u);
}

TEST_F(IpcProtocolTest, GarbagePreambleClosesOnlyThatConnection) {
  auto c = Connect();
  ASSERT_OK(c->SendRaw("garbage!garbage!"));
  EXPECT_TRUE(c->ClosedByServer());
  ExpectServingOthers();
}

TEST_F(IpcProtocolTest, HttpRequestGetsAHint) {
  auto c = Connect();
  ASSERT_OK(c->SendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string reply = c->ReadAll();
  EXPECT_NE(reply.find("HTTP request to a Hadoop IPC port"), std::string::npos) << reply;
  ExpectServingOthers();
}

TEST_F(IpcProtocolTest, WrongVersionGetsAFatalVersionMismatch) {
  auto c = Connect();
  ASSERT_OK(c->SendPreamble(7));
  hc::RpcResponseHeaderProto h;
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::FATAL);
  EXPECT_EQ(h.errordetail(), hc::RpcResponseHeaderProto::FATAL_VERSION_MISMATCH);
  EXPECT_EQ(h.exceptionclassname(), "org.apache.hadoop.ipc.RPC$VersionMismatch");
  EXPECT_TRUE(c->ClosedByServer());
  ExpectServingOthers();
}

TEST_F(IpcProtocolTest, OversizedLengthIsFatal) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  const uint8_t huge[4] = {0x7f, 0xff, 0xff, 0xff};
  ASSERT_OK(c->SendRaw({reinterpret_cast<const char*>(huge), 4}));
  hc::RpcResponseHeaderProto h;
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::FATAL);
  EXPECT_TRUE(c->ClosedByServer());
  ExpectServingOthers();
}

// Announcing a huge frame and then sending almost nothing must not make the namenode
// allocate what was announced: with the default 64 MiB frame limit, 24 such connections
// would otherwise pin 1.4 GiB.
TEST(IpcFrameMemoryTest, AnnouncedLengthsDoNotAllocateMemory) {
  MiniClusterOptions opts;
  opts.datanodes = 1;
  opts.replication = 1;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  const pid_t nn = cluster->namenode_pid();
  const uint64_t before = ResidentBytes(nn);
  ASSERT_GT(before, 0u);
  constexpr int kConnections = 24;
  constexpr uint32_t kAnnounced = 60u << 20;
  std::vector<std::unique_ptr<RawIpcClient>> clients;
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_OK_AND_ASSIGN(auto c, RawIpcClient::Connect(cluster->hadoop_address()));
    ASSERT_OK(c->Handshake("root"));
    uint8_t len[4];
    StoreBigEndian32(len, kAnnounced);
    ASSERT_OK(c->SendRaw({reinterpret_cast<const char*>(len), 4}));
    ASSERT_OK(c->SendRaw(std::string(1000, 'x')));
    clients.push_back(std::move(c));
  }
  // The namenode keeps serving while those connections wait for their bytes.
  auto probe = RawIpcClient::Connect(cluster->hadoop_address());
  ASSERT_OK(probe.status());
  ASSERT_OK((*probe)->Handshake("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  ASSERT_OK((*probe)->SendCall(0, "getFileInfo", req));
  hc::RpcResponseHeaderProto h;
  ASSERT_OK((*probe)->ReadReply(&h));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);
  // Their readers have had the bytes for a while: watch the resident size for 2 s.
  uint64_t after = 0;
  const int64_t until = MonotonicMillis() + 2000;
  while (MonotonicMillis() < until && after < before + (256ull << 20)) {
    after = std::max(after, ResidentBytes(nn));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(after, before + (256ull << 20)) << "resident " << before << " -> " << after << " bytes";
}

// Many changes pipelined on one connection, as a stock client's threads share one: each is
// applied by the connection's reader and answered once the WAL sync holding it is done, so
// every acknowledged one survives a kill -9 of the namenode.
TEST(IpcDurabilityTest, PipelinedChangesOnOneConnectionAreAllAnsweredAndDurable) {
  MiniClusterOptions opts;
  opts.datanodes = 1;
  opts.replication = 1;
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto c, RawIpcClient::Connect(cluster->hadoop_address()));
  ASSERT_OK(c->Handshake("root"));
  constexpr int kCalls = 60;
  for (int i = 0; i < kCalls; ++i) {
    hh::MkdirsRequestProto req;
    req.set_src(fmt::format("/piped/d{}", i));
    req.mutable_masked()->set_perm(0755);
    req.set_createparent(true);
    ASSERT_OK(c->SendCall(i, "mkdirs", req));
  }
  std::set<uint32_t> answered;
  for (int i = 0; i < kCalls; ++i) {
    hc::RpcResponseHeaderProto h;
    hh::MkdirsResponseProto resp;
    ASSERT_OK(c->ReadReply(&h, &resp));
    EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS) << h.errormsg();
    EXPECT_TRUE(resp.result());
    answered.insert(h.callid());
  }
  EXPECT_EQ(answered.size(), static_cast<size_t>(kCalls));
  ASSERT_OK(cluster->StopNamenode(SIGKILL));
  ASSERT_OK(cluster->RestartNamenode());
  ASSERT_OK_AND_ASSIGN(auto fs, cluster->Connect());
  for (int i = 0; i < kCalls; ++i) EXPECT_OK(fs->Stat(fmt::format("/piped/d{}", i)).status());
}

TEST_F(IpcProtocolTest, TruncatedFrameClosesTheConnection) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  auto h = c->Header(1);
  hc::RequestHeaderProto rh;
  rh.set_methodname("getFileInfo");
  rh.set_declaringclassprotocolname("org.apache.hadoop.hdfs.protocol.ClientProtocol");
  rh.set_clientprotocolversion(1);
  std::string frame = RawIpcClient::Frame({&h, &rh, &req});
  ASSERT_OK(c->SendRaw(std::string_view(frame).substr(0, frame.size() - 3)));
  c->socket().ShutdownWrite();
  EXPECT_TRUE(c->ClosedByServer());
  ExpectServingOthers();
}

TEST_F(IpcProtocolTest, UnparseableRequestIsFatalForThatConnection) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  auto h = c->Header(5);
  hc::RequestHeaderProto rh;
  rh.set_methodname("getFileInfo");
  rh.set_declaringclassprotocolname("org.apache.hadoop.hdfs.protocol.ClientProtocol");
  rh.set_clientprotocolversion(1);
  std::string frame = RawIpcClient::Frame({&h, &rh});
  frame += "\x05\xff\xff\xff\xff\xff";  // a 5-byte "message" that is not protobuf
  StoreBigEndian32(reinterpret_cast<uint8_t*>(frame.data()), static_cast<uint32_t>(frame.size() - 4));
  ASSERT_OK(c->SendRaw(frame));
  hc::RpcResponseHeaderProto reply;
  ASSERT_OK(c->ReadReply(&reply));
  EXPECT_EQ(reply.status(), hc::RpcResponseHeaderProto::FATAL);
  EXPECT_EQ(reply.errordetail(), hc::RpcResponseHeaderProto::FATAL_DESERIALIZING_REQUEST);
  EXPECT_TRUE(c->ClosedByServer());
  ExpectServingOthers();
}

TEST_F(IpcProtocolTest, CallBeforeTheConnectionContextIsRefused) {
  auto c = Connect();
  ASSERT_OK(c->SendPreamble());
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  ASSERT_OK(c->SendCall(0, "getFileInfo", req));
  hc::RpcResponseHeaderProto h;
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::FATAL);
  EXPECT_TRUE(c->ClosedByServer());
  ExpectServingOthers();
}

TEST_F(IpcProtocolTest, IdleConnectionsAreClosed) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/");
  ASSERT_OK(c->SendCall(0, "getFileInfo", req));
  hc::RpcResponseHeaderProto h;
  ASSERT_OK(c->ReadReply(&h));
  EXPECT_TRUE(c->ClosedByServer(kIdleTimeoutMs * 10));
  ExpectServingOthers();
}

// A client that sends its request one byte at a time is closed at the whole-request
// deadline, although every byte arrives well within the idle timeout.
TEST_F(IpcProtocolTest, ARequestTrickledByteByByteIsClosedAtTheRequestDeadline) {
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hh::GetFileInfoRequestProto req;
  req.set_src("/a/path/long/enough/to/take/a/while/to/trickle/byte/by/byte/at/five/bytes/per/second");
  const std::string frame = c->CallFrame(1, "getFileInfo", req);
  const int64_t start = MonotonicMillis();
  bool refused = false;
  for (char byte : frame) {
    if (!c->SendRaw({&byte, 1}).ok()) {
      refused = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kIdleTimeoutMs / 8));
    if (MonotonicMillis() - start > kRequestTimeoutMs * 3) break;
  }
  const int64_t elapsed = MonotonicMillis() - start;
  EXPECT_TRUE(refused || c->ClosedByServer(1000)) << "still open after " << elapsed << " ms";
  EXPECT_LT(elapsed, kRequestTimeoutMs * 3) << "the whole frame took " << frame.size() * kIdleTimeoutMs / 8 << " ms";
  ExpectServingOthers();
}

// A handshake that never ends (SASL NEGOTIATE again and again, each answered, never a
// connection context) is closed at the request deadline, although each frame arrives well
// within the idle timeout.
TEST_F(IpcProtocolTest, AHandshakeThatNeverEndsIsClosedAtTheRequestDeadline) {
  auto c = Connect();
  ASSERT_OK(c->SendPreamble(9, 0xDF));
  hc::RpcSaslProto negotiate;
  negotiate.set_state(hc::RpcSaslProto::NEGOTIATE);
  auto h = c->Header(-33);
  const std::string frame = RawIpcClient::Frame({&h, &negotiate});
  const int64_t start = MonotonicMillis();
  bool closed = false;
  while (MonotonicMillis() - start < kRequestTimeoutMs * 3) {
    hc::RpcResponseHeaderProto reply;
    if (!c->SendRaw(frame).ok() || !c->ReadReply(&reply).ok()) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kIdleTimeoutMs / 3));
  }
  EXPECT_TRUE(closed) << "a handshake kept going for " << MonotonicMillis() - start << " ms";
  ExpectServingOthers();
}

// A client that pipelines calls and never reads the replies: once its unsent replies pass
// the bound the namenode stops reading it, keeps serving everyone else meanwhile, and
// closes it when no reply has been taken for the request timeout.
TEST_F(IpcProtocolTest, AClientThatNeverReadsItsRepliesIsCutOffWithoutHoldingOthers) {
  {
    auto setup = Connect();
    ASSERT_OK(setup->Handshake("root"));
    for (int i = 0; i < 100; ++i) {
      hh::MkdirsRequestProto mk;
      mk.set_src(fmt::format("/ipc-wide/a-directory-name-of-some-length-{:04}", i));
      mk.mutable_masked()->set_perm(0755);
      mk.set_createparent(true);
      ASSERT_OK(setup->SendCall(i, "mkdirs", mk));
    }
    for (int i = 0; i < 100; ++i) {
      hc::RpcResponseHeaderProto h;
      ASSERT_OK(setup->ReadReply(&h));
      ASSERT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS) << h.errormsg();
    }
  }
  auto c = Connect();
  ASSERT_OK(c->Handshake("root"));
  hh::GetListingRequestProto list;
  list.set_src("/ipc-wide");
  list.set_startafter("");
  list.set_needlocation(false);
  constexpr int kCalls = 4000;  // about 10 KB of reply each: far more than any socket buffer
  std::string burst;
  for (int i = 0; i < kCalls; ++i) burst += c->CallFrame(i, "getListing", list);
  std::thread sender([&] { (void)c->SendRaw(burst); });  // may block: the namenode stops reading

  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ExpectServingOthers();
  std::this_thread::sleep_for(std::chrono::milliseconds(kRequestTimeoutMs + 1500));
  ExpectServingOthers();

  // The connection was closed: reading gives what was sent before, then the end.
  (void)c->socket().SetTimeouts(5000, 5000);
  int replies = 0;
  for (;;) {
    hc::RpcResponseHeaderProto h;
    if (!c->ReadReply(&h).ok()) break;
    ++replies;
  }
  c->socket().ShutdownBoth();
  sender.join();
  EXPECT_LT(replies, kCalls) << "the namenode answered every call of a client that did not read";
}

// With two calls running on a connection (completes that wait for replicas that never
// come), the namenode does not read that connection's next call until one of them ends,
// while another connection is answered at once.
TEST(IpcConnectionLimitTest, CallsInFlightPerConnectionAreBounded) {
  constexpr int kWaitMs = 2500;
  MiniClusterOptions opts;
  opts.datanodes = 1;
  opts.replication = 1;
  opts.block_size = 64 * 1024;
  opts.namenode_flags = {"--namenode_ipc_max_calls_per_connection=2",
                         "--namenode_complete_wait_ms=" + std::to_string(kWaitMs)};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  ASSERT_OK_AND_ASSIGN(auto c, RawIpcClient::Connect(cluster->hadoop_address()));
  ASSERT_OK(c->Handshake("root"));
  hc::RpcResponseHeaderProto h;
  std::vector<hh::CompleteRequestProto> completes;
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(auto complete, StuckComplete(*c, fmt::format("/ipc-inflight-{}", i), "inflight-client"));
    completes.push_back(complete);
  }
  const int64_t start = MonotonicMillis();
  ASSERT_OK(c->SendCall(10, "complete", completes[0]));
  ASSERT_OK(c->SendCall(11, "complete", completes[1]));
  hh::GetFileInfoRequestProto info;
  info.set_src("/");
  ASSERT_OK(c->SendCall(12, "getFileInfo", info));
  // Another connection is served meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_OK_AND_ASSIGN(auto other, RawIpcClient::Connect(cluster->hadoop_address()));
  ASSERT_OK(other->Handshake("root"));
  ASSERT_OK(other->SendCall(1, "getFileInfo", info));
  ASSERT_OK(other->ReadReply(&h));
  EXPECT_EQ(h.status(), hc::RpcResponseHeaderProto::SUCCESS);
  EXPECT_LT(MonotonicMillis() - start, kWaitMs - 500) << "the other connection waited too";
  // On the bounded connection the getFileInfo is read only once a complete has ended.
  int64_t info_answered_ms = -1;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(c->ReadReply(&h));
    if (h.callid() == 12u) info_answered_ms = MonotonicMillis() - start;
  }
  ASSERT_GE(info_answered_ms, 0);
  EXPECT_GE(info_answered_ms, kWaitMs - 300) << "a third call was read while two were running";
}

TEST(IpcConnectionLimitTest, ConnectionsPerAddressAreBounded) {
  MiniClusterOptions opts;
  opts.datanodes = 1;
  opts.replication = 1;
  opts.namenode_flags = {"--namenode_ipc_max_connections_per_address=3"};
  ASSERT_OK_AND_ASSIGN(auto cluster, MiniCluster::Start(opts));
  auto served = [&](RawIpcClient& c) {
    if (!c.Handshake("root").ok()) return false;
    hh::GetFileInfoRequestProto req;
    req.set_src("/");
    if (!c.SendCall(0, "getFileInfo", req).ok()) return false;
    hc::RpcResponseHeaderProto h;
    return c.ReadReply(&h).ok() && h.status() == hc::RpcResponseHeaderProto::SUCCESS;
  };
  std::vector<std::unique_ptr<RawIpcClient>> open;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(auto c, RawIpcClient::Connect(cluster->hadoop_address()));
    ASSERT_TRUE(served(*c)) << "connection " << i;
    open.push_back(std::move(c));
  }
  ASSERT_OK_AND_ASSIGN(auto fourth, RawIpcClient::Connect(cluster->hadoop_address()));
  EXPECT_TRUE(fourth->ClosedByServer(5000)) << "a fourth connection from one address was kept";

  // Closing one makes room again.
  open.pop_back();
  bool admitted = false;
  for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
    ASSERT_OK_AND_ASSIGN(auto c, RawIpcClient::Connect(cluster->hadoop_address()));
    admitted = served(*c);
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(admitted);
}

}  // namespace
}  // namespace cairn
