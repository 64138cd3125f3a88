// --security=kerberos against a real MIT KDC (tools/kdc): stock `hdfs` and `cairn` work
// with a ticket and fail clearly without one, claimed user names gain nothing, users reach
// only what permissions give them, the namenode's principal is the superuser, and the
// gRPC door (whose user header proves nothing) serves only callers whose Kerberos login or
// delegation token it verified. Delegation tokens log in without a ticket, as their owner,
// until they expire or are cancelled, and cannot be stretched or forged. Daemons prove which
// daemon they are with certificates from the cluster CA: the datanode protocol refuses
// plaintext, certificate-less, wrong-role and foreign-CA callers, changing nothing.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "cairn/datanode_protocol.grpc.pb.h"
#include "cairn/inter_datanode.grpc.pb.h"
#include "cairn/namenode.grpc.pb.h"
#include "common/grpc_status.h"
#include "common/cluster_ca.h"
#include "common/delegation_token.h"
#include "common/gssapi.h"

#include <chrono>
#include <thread>
#include <tuple>

#include "tests/support/process.h"
#include "tests/support/remote_file.h"
#include "tests/support/shared_cluster.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

using testing::CommandResult;
using testing::MiniClusterOptions;
using testing::RunCommand;

std::string ReadText(const std::string& path) {
  auto text = testing::ReadLocalFile(path);
  return text.ok() ? *text : "";
}

constexpr int kTokenRenewIntervalMs = 8000;

class KerberosTest : public testing::SharedClusterSuite<KerberosTest> {
 public:
  static MiniClusterOptions ClusterOptions() {
    MiniClusterOptions o;
    o.datanodes = 1;
    o.replication = 1;
    o.kerberos = true;
    // Short enough for a test to watch a delegation token expire.
    o.namenode_flags = {"--namenode_delegation_token_renew_interval_ms=" + std::to_string(kTokenRenewIntervalMs),
                        // bob may act for alice from here; admin only from an address that is not here.
                        "--namenode_proxy_users=bob:hosts=127.0.0.1:users=alice;admin:hosts=10.9.9.9:users=*"};
    return o;
  }

 protected:
  // `cairn ARGS` as `user` (with that user's ticket).
  CommandResult Cairn(const std::string& user, const std::vector<std::string>& args, const std::string& in = "") {
    auto r = cluster_->CliAs(user, args, in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  // Debian's stock `hdfs` (the Go client) as `user`, configured by HADOOP_CONF_DIR.
  CommandResult Hdfs(const std::vector<std::string>& env, std::vector<std::string> args) {
    args.insert(args.begin(), "hdfs");
    auto r = RunCommand(args, env);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  CommandResult Hdfs(const std::string& user, std::vector<std::string> args) {
    auto env = cluster_->KerberosEnv(user);
    EXPECT_TRUE(env.ok()) << env.status().ToString();
    return Hdfs(env.ok() ? *env : std::vector<std::string>{}, std::move(args));
  }
  // The namenode's gRPC door by the name its principal has (nn/localhost).
  std::string GrpcAddress() const {
    const std::string a = cluster_->namenode_address();
    return "localhost" + a.substr(a.rfind(':'));
  }
  CommandResult CairnGrpc(const std::vector<std::string>& env, std::vector<std::string> args,
                          const std::string& in = "") {
    args.insert(args.begin(), {std::string(CAIRN_BIN_DIR) + "/cairn", "--namenode", GrpcAddress()});
    auto r = RunCommand(args, env, in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  // The environment of a process with no ticket that holds the token file `file`.
  std::vector<std::string> TokenEnv(const std::string& file) const {
    auto env = cluster_->NoTicketEnv();
    env.push_back("HADOOP_TOKEN_FILE_LOCATION=" + file);
    return env;
  }
  CommandResult CairnWith(const std::vector<std::string>& env, const std::vector<std::string>& args,
                          const std::string& in = "") {
    auto r = cluster_->Cli(args, env, in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  static void SetUpTestSuite() {
    SharedClusterSuite::SetUpTestSuite();
    if (cluster_ == nullptr) return;
    // The superuser (the namenode's principal) makes the users' home directories.
    auto fs = cluster_->Connect();
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    for (const char* user : {"alice", "bob"}) {
      const std::string home = std::string("/user/") + user;
      ASSERT_TRUE((*fs)->Mkdirs(home).ok());
      ASSERT_TRUE((*fs)->Chown(home, user, user).ok());
    }
  }
};

TEST_F(KerberosTest, StockHdfsAndCairnWorkWithATicket) {
  ASSERT_NE(cluster_, nullptr);
  auto put = Cairn("alice", {"put", "-", "/user/alice/from-cairn"}, "written by cairn\n");
  ASSERT_EQ(put.exit_code, 0) << put.out;
  auto cat = Hdfs("alice", {"cat", "/user/alice/from-cairn"});
  ASSERT_EQ(cat.exit_code, 0) << cat.out;
  EXPECT_EQ(cat.out, "written by cairn\n");
  auto ls = Hdfs("alice", {"ls", "-l", "/user/alice"});
  EXPECT_NE(ls.out.find("alice"), std::string::npos) << ls.out;

  const std::string local = cluster_->dir() + "/local.txt";
  ASSERT_TRUE(cairn::testing::WriteLocalFile(local, "written by hdfs\n").ok());
  auto hput = Hdfs("alice", {"put", local, "/user/alice/from-hdfs"});
  ASSERT_EQ(hput.exit_code, 0) << hput.out;
  auto ccat = Cairn("alice", {"cat", "/user/alice/from-hdfs"});
  ASSERT_EQ(ccat.exit_code, 0) << ccat.out;
  EXPECT_EQ(ccat.out, "written by hdfs\n");
  auto cls = Cairn("alice", {"ls", "/user/alice"});
  EXPECT_NE(cls.out.find("alice alice"), std::string::npos) << cls.out;  // owned by the ticket's user

  EXPECT_EQ(Hdfs("alice", {"chmod", "600", "/user/alice/from-hdfs"}).exit_code, 0);
  EXPECT_EQ(Cairn("alice", {"chmod", "640", "/user/alice/from-cairn"}).exit_code, 0);
  EXPECT_EQ(Hdfs("alice", {"rm", "/user/alice/from-cairn"}).exit_code, 0);
  EXPECT_EQ(Cairn("alice", {"rm", "/user/alice/from-hdfs"}).exit_code, 0);
  auto gone = Cairn("alice", {"ls", "/user/alice"});
  EXPECT_EQ(gone.out.find("from-"), std::string::npos) << gone.out;
}

TEST_F(KerberosTest, WithoutATicketBothFailClearly) {
  ASSERT_NE(cluster_, nullptr);
  auto cairn = cluster_->Cli({"ls", "/"}, cluster_->NoTicketEnv());
  ASSERT_TRUE(cairn.ok());
  EXPECT_NE(cairn->exit_code, 0);
  EXPECT_NE(cairn->out.find("no Kerberos ticket (run kinit)"), std::string::npos) << cairn->out;
  auto hdfs = Hdfs(cluster_->NoTicketEnv(), {"ls", "/"});
  EXPECT_NE(hdfs.exit_code, 0);
  EXPECT_NE(hdfs.out.find("kerberos"), std::string::npos) << hdfs.out;

  // A client in simple mode (no ticket, names itself the superuser) is refused with the reason.
  auto simple = cluster_->Cli({"ls", "/"}, {"CAIRN_USER=nn", "CAIRN_NAMENODE_PRINCIPAL="});
  ASSERT_TRUE(simple.ok());
  EXPECT_NE(simple->exit_code, 0);
  EXPECT_NE(simple->out.find("SIMPLE authentication is not enabled"), std::string::npos) << simple->out;
  auto simple_hdfs = RunCommand({"hdfs", "ls", "/"}, {"HADOOP_CONF_DIR=", "HADOOP_NAMENODE=" + cluster_->hadoop_address(),
                                                       "HADOOP_USER_NAME=nn"});
  ASSERT_TRUE(simple_hdfs.ok());
  EXPECT_NE(simple_hdfs->exit_code, 0) << simple_hdfs->out;

  // The gRPC door speaks TLS: a plaintext client does not get through the handshake.
  const std::vector<std::string> cairn_grpc = {std::string(CAIRN_BIN_DIR) + "/cairn", "--namenode", GrpcAddress(),
                                               "ls", "/"};
  auto plain = RunCommand(cairn_grpc, {"CAIRN_USER=nn", "CAIRN_NAMENODE_PRINCIPAL=", "CAIRN_TLS_CA_FILE="});
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(plain->exit_code, 0);
  EXPECT_EQ(plain->out.find("needs a Kerberos login"), std::string::npos) << plain->out;
  // Over TLS, the door's user header is still a claim: without a login it refuses the call.
  auto grpc = RunCommand(cairn_grpc, {"CAIRN_USER=nn", "CAIRN_NAMENODE_PRINCIPAL=",
                                      "CAIRN_TLS_CA_FILE=" + cluster_->ca_dir() + "/ca.crt"});
  ASSERT_TRUE(grpc.ok());
  EXPECT_NE(grpc->exit_code, 0);
  EXPECT_NE(grpc->out.find("needs a Kerberos login"), std::string::npos) << grpc->out;
  // And without a ticket there is no login.
  auto no_ticket = RunCommand(cairn_grpc, cluster_->NoTicketEnv());
  ASSERT_TRUE(no_ticket.ok());
  EXPECT_NE(no_ticket->exit_code, 0);
  EXPECT_NE(no_ticket->out.find("no Kerberos ticket"), std::string::npos) << no_ticket->out;
}

TEST_F(KerberosTest, ClaimedNamesGainNothingAndUsersKeepToTheirFiles) {
  ASSERT_NE(cluster_, nullptr);
  ASSERT_EQ(Cairn("bob", {"put", "-", "/user/bob/private"}, "bob's secret\n").exit_code, 0);
  ASSERT_EQ(Cairn("bob", {"chmod", "600", "/user/bob/private"}).exit_code, 0);

  for (const auto& claim : {"CAIRN_USER=nn", "HADOOP_USER_NAME=nn"}) {
    auto env = cluster_->KerberosEnv("alice");
    ASSERT_TRUE(env.ok());
    env->push_back(claim);
    auto cat = cluster_->Cli({"cat", "/user/bob/private"}, *env);
    ASSERT_TRUE(cat.ok());
    EXPECT_NE(cat->exit_code, 0) << claim;
    EXPECT_NE(cat->out.find("ermission denied"), std::string::npos) << cat->out;
    EXPECT_EQ(cat->out.find("bob's secret"), std::string::npos);
    auto hrm = Hdfs(*env, {"rm", "/user/bob/private"});
    EXPECT_NE(hrm.exit_code, 0) << claim << ": " << hrm.out;
  }
  auto rm = Cairn("alice", {"rm", "/user/bob/private"});
  EXPECT_NE(rm.exit_code, 0);
  auto hcat = Hdfs("alice", {"cat", "/user/bob/private"});
  EXPECT_NE(hcat.exit_code, 0);
  EXPECT_EQ(hcat.out.find("bob's secret"), std::string::npos);

  // The namenode's own principal is the superuser, and so is a member of the supergroup.
  auto nn = Cairn("nn", {"cat", "/user/bob/private"});
  EXPECT_EQ(nn.exit_code, 0) << nn.out;
  EXPECT_EQ(nn.out, "bob's secret\n");
  auto admin = Hdfs("admin", {"cat", "/user/bob/private"});
  EXPECT_EQ(admin.exit_code, 0) << admin.out;
  EXPECT_EQ(admin.out, "bob's secret\n");
  EXPECT_EQ(Cairn("bob", {"cat", "/user/bob/private"}).out, "bob's secret\n");
}

TEST_F(KerberosTest, TheDatanodeProtocolServesOnlyDatanodesWithACertificateFromTheClusterCa) {
  ASSERT_NE(cluster_, nullptr);
  ASSERT_OK_AND_ASSIGN(auto fs, cluster_->Connect());
  ASSERT_OK(fs->Mkdirs("/tls"));
  ASSERT_OK(testing::WriteRemoteFile(*fs, "/tls/kept", "block data that must survive"));
  ASSERT_OK_AND_ASSIGN(auto nodes, fs->GetDatanodeReport());
  ASSERT_EQ(nodes.size(), 1u);
  const std::string live_uuid = nodes[0].uuid;
  const std::string ca_dir = cluster_->ca_dir();

  // An empty full report in a live node's name would drop every replica it holds; a
  // registration in its name would take it over.
  auto attack = [&](std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub = DatanodeProtocol::NewStub(grpc::CreateChannel(cluster_->namenode_address(), credentials));
    std::vector<grpc::Status> results;
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      BlockReportRequest req;
      req.set_datanode_uuid(live_uuid);
      BlockReportResponse resp;
      results.push_back(stub->BlockReport(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      RegisterDatanodeRequest req;
      req.mutable_id()->set_ipaddr("127.0.0.1");
      req.mutable_id()->set_hostname("stranger");
      req.mutable_id()->set_datanodeuuid(live_uuid);
      req.mutable_id()->set_xferport(1);
      req.mutable_id()->set_infoport(0);
      req.mutable_id()->set_ipcport(0);
      RegisterDatanodeResponse resp;
      results.push_back(stub->RegisterDatanode(&ctx, req, &resp));
    }
    return results;
  };
  grpc::SslCredentialsOptions trust_only;
  trust_only.pem_root_certs = ReadText(ca_dir + "/ca.crt");
  grpc::SslCredentialsOptions as_namenode = trust_only;
  as_namenode.pem_cert_chain = ReadText(ca_dir + "/namenode.crt");
  as_namenode.pem_private_key = ReadText(ca_dir + "/namenode.key");
  // A datanode certificate, but from a CA of the attacker's own.
  ASSERT_OK_AND_ASSIGN(PemKeyAndCertificate other_ca, CreateClusterCa("not the cluster's", 1));
  ASSERT_OK_AND_ASSIGN(PemKeyAndCertificate forged,
                       IssueDaemonCertificate(other_ca, kDatanodeRole, {"localhost", "127.0.0.1"}, 1));
  grpc::SslCredentialsOptions foreign = trust_only;
  foreign.pem_cert_chain = forged.certificate_pem;
  foreign.pem_private_key = forged.key_pem;

  for (const auto& st : attack(grpc::InsecureChannelCredentials())) {
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();  // no TLS, no talk
  }
  for (const auto& st : attack(grpc::SslCredentials(trust_only))) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    EXPECT_NE(st.error_message().find("only a datanode with a certificate from the cluster CA"), std::string::npos)
        << st.error_message();
  }
  for (const auto& st : attack(grpc::SslCredentials(as_namenode))) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    EXPECT_NE(st.error_message().find("not the namenode localhost"), std::string::npos) << st.error_message();
  }
  for (const auto& st : attack(grpc::SslCredentials(foreign))) {
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();  // the handshake fails
  }
  // Recovery calls between datanodes (mutual TLS on each datanode's ipc port): a stop or a
  // truncate of the replica by anyone but a datanode is refused before it is read.
  const std::string ports = ReadText(cluster_->dir() + "/dn0/ports");
  const size_t at = ports.find("ipc_port=");
  ASSERT_NE(at, std::string::npos) << ports;
  const std::string ipc_address = "127.0.0.1:" + std::to_string(std::stoi(ports.substr(at + 9)));
  auto recover = [&](std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub = InterDatanode::NewStub(grpc::CreateChannel(ipc_address, credentials));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    InterDatanodeRequest req;
    auto* u = req.mutable_update_replica_under_recovery();
    u->mutable_block()->set_poolid("BP-any");
    u->mutable_block()->set_blockid(1);
    u->mutable_block()->set_generationstamp(1000);
    u->set_recovery_id(99999);
    u->set_new_length(0);
    u->set_truncate(true);
    InterDatanodeResponse resp;
    return stub->Call(&ctx, req, &resp);
  };
  EXPECT_EQ(recover(grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(recover(grpc::SslCredentials(trust_only)).error_code(), grpc::StatusCode::UNAVAILABLE);  // no certificate
  EXPECT_EQ(recover(grpc::SslCredentials(foreign)).error_code(), grpc::StatusCode::UNAVAILABLE);
  grpc::Status wrong_role = recover(grpc::SslCredentials(as_namenode));
  EXPECT_EQ(wrong_role.error_code(), grpc::StatusCode::PERMISSION_DENIED) << wrong_role.error_message();

  // Nothing changed: the node is still the one live node, and the file reads back.
  ASSERT_OK_AND_ASSIGN(auto after, fs->GetDatanodeReport());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].uuid, live_uuid);
  EXPECT_TRUE(after[0].live);
  EXPECT_EQ(after[0].hostname, nodes[0].hostname);
  ASSERT_OK_AND_ASSIGN(std::string back, testing::ReadRemoteFile(*fs, "/tls/kept"));
  EXPECT_EQ(back, "block data that must survive");
  EXPECT_GE(after[0].blocks, 1u);
}

TEST_F(KerberosTest, ADelegationTokenLogsInAsItsOwnerUntilCancelled) {
  ASSERT_NE(cluster_, nullptr);
  const std::string file = cluster_->dir() + "/alice.token";
  auto fetch = Cairn("alice", {"token", "fetch", file});
  ASSERT_EQ(fetch.exit_code, 0) << fetch.out;
  EXPECT_NE(fetch.out.find("HDFS_DELEGATION_TOKEN token"), std::string::npos) << fetch.out;
  auto print = CairnWith(cluster_->NoTicketEnv(), {"token", "print", file});
  ASSERT_EQ(print.exit_code, 0) << print.out;
  EXPECT_NE(print.out.find("owner alice, renewer alice"), std::string::npos) << print.out;

  // No ticket, only the token: the caller is alice, whatever it claims.
  const auto token_env = TokenEnv(file);
  auto put = CairnWith(token_env, {"put", "-", "/user/alice/by-token"}, "written with a token\n");
  ASSERT_EQ(put.exit_code, 0) << put.out;
  auto ls = CairnWith(token_env, {"ls", "/user/alice"});
  EXPECT_NE(ls.out.find("alice alice"), std::string::npos) << ls.out;
  EXPECT_EQ(CairnWith(token_env, {"cat", "/user/alice/by-token"}).out, "written with a token\n");
  ASSERT_EQ(Cairn("bob", {"put", "-", "/user/bob/token-secret"}, "bob only\n").exit_code, 0);
  ASSERT_EQ(Cairn("bob", {"chmod", "600", "/user/bob/token-secret"}).exit_code, 0);
  auto claimed = token_env;
  claimed.push_back("HADOOP_USER_NAME=bob");
  claimed.push_back("CAIRN_USER=nn");
  auto steal = CairnWith(claimed, {"cat", "/user/bob/token-secret"});
  EXPECT_NE(steal.exit_code, 0);
  EXPECT_EQ(steal.out.find("bob only"), std::string::npos) << steal.out;

  // A token cannot be stretched: its holder can neither get a new one nor renew it.
  auto refetch = CairnWith(token_env, {"token", "fetch", cluster_->dir() + "/again.token"});
  EXPECT_NE(refetch.exit_code, 0);
  EXPECT_NE(refetch.out.find("only with kerberos authentication"), std::string::npos) << refetch.out;
  auto self_renew = CairnWith(token_env, {"token", "renew", file});
  EXPECT_NE(self_renew.exit_code, 0);
  EXPECT_NE(self_renew.out.find("only with kerberos authentication"), std::string::npos) << self_renew.out;

  // Only the renewer renews; only the owner or renewer cancels.
  auto bob_renew = Cairn("bob", {"token", "renew", file});
  EXPECT_NE(bob_renew.exit_code, 0);
  EXPECT_NE(bob_renew.out.find("non-matching renewer alice"), std::string::npos) << bob_renew.out;
  auto bob_cancel = Cairn("bob", {"token", "cancel", file});
  EXPECT_NE(bob_cancel.exit_code, 0);
  EXPECT_NE(bob_cancel.out.find("not authorized to cancel"), std::string::npos) << bob_cancel.out;
  auto renew = Cairn("alice", {"token", "renew", file});
  ASSERT_EQ(renew.exit_code, 0) << renew.out;
  EXPECT_NE(renew.out.find("Renewed HDFS_DELEGATION_TOKEN token"), std::string::npos) << renew.out;
  EXPECT_EQ(CairnWith(token_env, {"ls", "/user/alice"}).exit_code, 0);

  auto cancel = Cairn("alice", {"token", "cancel", file});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.out;
  auto after = CairnWith(token_env, {"ls", "/user/alice"});
  EXPECT_NE(after.exit_code, 0);
  EXPECT_NE(after.out.find("can't be found"), std::string::npos) << after.out;
}

TEST_F(KerberosTest, ExpiredAndForgedDelegationTokensAreRefused) {
  ASSERT_NE(cluster_, nullptr);
  const std::string file = cluster_->dir() + "/bob.token";
  ASSERT_EQ(Cairn("bob", {"token", "fetch", file}).exit_code, 0);
  ASSERT_OK_AND_ASSIGN(std::string bytes, testing::ReadLocalFile(file));
  ASSERT_OK_AND_ASSIGN(auto tokens, DecodeTokenStorage(bytes));
  ASSERT_EQ(tokens.size(), 1u);

  // A wrong password, and an identifier rewritten to name the superuser.
  auto forged = tokens[0];
  forged.set_password(std::string(forged.password().size(), '\x5a'));
  auto as_nn = tokens[0];
  ASSERT_OK_AND_ASSIGN(DelegationTokenIdentifier id, DecodeDelegationTokenIdentifier(as_nn.identifier()));
  id.owner = "nn";
  as_nn.set_identifier(EncodeDelegationTokenIdentifier(id));
  for (const auto& [name, token] : {std::pair{"forged", forged}, std::pair{"as-nn", as_nn}}) {
    const std::string path = cluster_->dir() + "/" + name + ".token";
    ASSERT_OK(testing::WriteLocalFile(path, EncodeTokenStorage({token})));
    auto r = CairnWith(TokenEnv(path), {"ls", "/user/bob"});
    EXPECT_NE(r.exit_code, 0) << name;
    EXPECT_NE(r.out.find("refused the login"), std::string::npos) << name << ": " << r.out;
  }
  // The real one works, then dies at its renew date.
  auto ok = CairnWith(TokenEnv(file), {"ls", "/user/bob"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  std::this_thread::sleep_for(std::chrono::milliseconds(kTokenRenewIntervalMs + 1500));
  auto expired = CairnWith(TokenEnv(file), {"ls", "/user/bob"});
  EXPECT_NE(expired.exit_code, 0);
  EXPECT_TRUE(expired.out.find("is expired") != std::string::npos ||
              expired.out.find("can't be found") != std::string::npos)
      << expired.out;
  auto renew = Cairn("bob", {"token", "renew", file});
  EXPECT_NE(renew.exit_code, 0) << renew.out;
}

TEST_F(KerberosTest, TheGrpcDoorLogsInWithKerberosAndChecksEveryCallsToken) {
  ASSERT_NE(cluster_, nullptr);
  ASSERT_OK_AND_ASSIGN(auto alice, cluster_->KerberosEnv("alice"));
  auto put = CairnGrpc(alice, {"put", "-", "/user/alice/over-grpc"}, "through the gRPC door\n");
  ASSERT_EQ(put.exit_code, 0) << put.out;
  auto ls = CairnGrpc(alice, {"ls", "/user/alice"});
  EXPECT_NE(ls.out.find("alice alice"), std::string::npos) << ls.out;
  EXPECT_EQ(CairnGrpc(alice, {"cat", "/user/alice/over-grpc"}).out, "through the gRPC door\n");
  EXPECT_EQ(Cairn("alice", {"cat", "/user/alice/over-grpc"}).out, "through the gRPC door\n");  // and over IPC

  ASSERT_EQ(Cairn("bob", {"put", "-", "/user/bob/grpc-secret"}, "bob's\n").exit_code, 0);
  ASSERT_EQ(Cairn("bob", {"chmod", "600", "/user/bob/grpc-secret"}).exit_code, 0);
  auto claimed = alice;
  claimed.push_back("CAIRN_USER=nn");
  auto steal = CairnGrpc(claimed, {"cat", "/user/bob/grpc-secret"});
  EXPECT_NE(steal.exit_code, 0);
  EXPECT_NE(steal.out.find("ermission denied"), std::string::npos) << steal.out;
  ASSERT_OK_AND_ASSIGN(auto nn, cluster_->KerberosEnv("nn"));
  EXPECT_EQ(CairnGrpc(nn, {"cat", "/user/bob/grpc-secret"}).out, "bob's\n");  // the superuser

  // A delegation token works on this door too.
  const std::string file = cluster_->dir() + "/grpc.token";
  ASSERT_EQ(Cairn("alice", {"token", "fetch", file}).exit_code, 0);
  auto by_token = CairnGrpc(TokenEnv(file), {"cat", "/user/alice/over-grpc"});
  EXPECT_EQ(by_token.exit_code, 0) << by_token.out;
  EXPECT_EQ(by_token.out, "through the gRPC door\n");
  auto refetch = CairnGrpc(TokenEnv(file), {"token", "fetch", cluster_->dir() + "/grpc2.token"});
  EXPECT_NE(refetch.out.find("only with kerberos authentication"), std::string::npos) << refetch.out;

  // Raw calls: garbage, forged and missing tokens are refused, a bad login too.
  ASSERT_OK_AND_ASSIGN(std::string ca, testing::ReadLocalFile(cluster_->ca_dir() + "/ca.crt"));
  grpc::SslCredentialsOptions trust;
  trust.pem_root_certs = ca;
  auto stub = ClientNamenode::NewStub(grpc::CreateChannel(GrpcAddress(), grpc::SslCredentials(trust)));
  auto get_file_info = [&](const std::string& authn) {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kUserMetadataKey, "nn");
    if (!authn.empty()) ctx.AddMetadata(kAuthnTokenMetadataKey, authn);
    hadoop::hdfs::GetFileInfoRequestProto req;
    req.set_src("/user/bob/grpc-secret");
    hadoop::hdfs::GetFileInfoResponseProto resp;
    return stub->GetFileInfo(&ctx, req, &resp);
  };
  grpc::Status none = get_file_info("");
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << none.error_message();
  grpc::Status garbage = get_file_info("not a token");
  EXPECT_EQ(garbage.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(garbage.error_message().find("malformed"), std::string::npos) << garbage.error_message();
  // A real login (as the namenode's principal, the superuser), then its token rewritten.
  ASSERT_OK_AND_ASSIGN(client::ClientOptions options, cluster_->ClientOptionsFor("nn"));  // nn's ticket cache
  ASSERT_OK_AND_ASSIGN(auto gss, GssContext::Initiator("nn", "localhost"));
  ASSERT_OK_AND_ASSIGN(std::string ap_req, gss->Step(""));
  AuthenticateRequest real_login;
  real_login.set_gss_token(ap_req);
  AuthenticateResponse real;
  grpc::ClientContext real_ctx;
  ASSERT_TRUE(stub->Authenticate(&real_ctx, real_login, &real).ok());
  EXPECT_EQ(real.user(), "nn");
  EXPECT_TRUE(get_file_info(real.authn_token()).ok());
  AuthnTokenProto forged;
  ASSERT_TRUE(forged.ParseFromString(real.authn_token()));
  AuthnTokenIdentifierProto id;
  ASSERT_TRUE(id.ParseFromString(forged.identifier()));
  id.set_expiry_ms(id.expiry_ms() + 365LL * 24 * 3600 * 1000);  // a year longer, same signature
  forged.set_identifier(id.SerializeAsString());
  grpc::Status forged_status = get_file_info(forged.SerializeAsString());
  EXPECT_EQ(forged_status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(forged_status.error_message().find("wrong signature"), std::string::npos) << forged_status.error_message();
  grpc::ClientContext login_ctx;
  AuthenticateRequest login;
  login.set_gss_token("not a kerberos token");
  AuthenticateResponse login_resp;
  grpc::Status bad_login = stub->Authenticate(&login_ctx, login, &login_resp);
  EXPECT_NE(bad_login.error_code(), grpc::StatusCode::OK);
  EXPECT_FALSE(login_resp.has_authn_token());

  // A restarted namenode has new signing keys: a logged-in client is told to log in again,
  // and does so by itself (also when another client logged in first).
  options.namenode = GrpcAddress();
  ::setenv("CAIRN_TLS_CA_FILE", (cluster_->ca_dir() + "/ca.crt").c_str(), 1);
  ASSERT_OK_AND_ASSIGN(auto fs, client::FileSystem::Connect(options));
  ASSERT_OK(fs->Stat("/user/bob/grpc-secret").status());
  ASSERT_OK(cluster_->RestartNamenode());
  EXPECT_EQ(CairnGrpc(alice, {"ls", "/user/alice"}).exit_code, 0);
  auto after_restart = fs->Stat("/user/bob/grpc-secret");
  EXPECT_TRUE(after_restart.ok()) << after_restart.status().ToString();
  // Delegation tokens are stored: the one fetched before the restart still logs in, on both doors.
  auto kept_ipc = CairnWith(TokenEnv(file), {"cat", "/user/alice/over-grpc"});
  EXPECT_EQ(kept_ipc.out, "through the gRPC door\n") << kept_ipc.out;
  auto kept_grpc = CairnGrpc(TokenEnv(file), {"cat", "/user/alice/over-grpc"});
  EXPECT_EQ(kept_grpc.out, "through the gRPC door\n") << kept_grpc.out;
}

TEST_F(KerberosTest, ProxyUsersActOnlyForWhomTheRulesAllow) {
  ASSERT_NE(cluster_, nullptr);
  auto as = [&](const std::string& real, const std::string& effective) {
    auto env = cluster_->KerberosEnv(real);
    EXPECT_TRUE(env.ok());
    std::vector<std::string> out = env.ok() ? *env : std::vector<std::string>{};
    out.push_back("HADOOP_PROXY_USER=" + effective);
    return out;
  };
  // bob acts for alice, on both doors: what he writes is alice's.
  auto put = CairnWith(as("bob", "alice"), {"put", "-", "/user/alice/by-proxy"}, "bob for alice\n");
  ASSERT_EQ(put.exit_code, 0) << put.out;
  auto ls = Cairn("alice", {"ls", "/user/alice"});
  EXPECT_NE(ls.out.find("alice alice"), std::string::npos) << ls.out;
  auto grpc_put = CairnGrpc(as("bob", "alice"), {"put", "-", "/user/alice/by-proxy-grpc"}, "over gRPC\n");
  ASSERT_EQ(grpc_put.exit_code, 0) << grpc_put.out;
  EXPECT_EQ(Cairn("alice", {"cat", "/user/alice/by-proxy-grpc"}).out, "over gRPC\n");
  // A token fetched so is alice's, with bob as its real user.
  const std::string file = cluster_->dir() + "/proxied.token";
  ASSERT_EQ(CairnWith(as("bob", "alice"), {"token", "fetch", file}).exit_code, 0);
  auto print = CairnWith(cluster_->NoTicketEnv(), {"token", "print", file});
  EXPECT_NE(print.out.find("owner alice, renewer alice, real user bob"), std::string::npos) << print.out;

  // Nobody else, for nobody else, and not from elsewhere.
  for (const auto& [real, effective, why] :
       {std::tuple{"alice", "bob", "User: alice is not allowed to impersonate bob"},
        std::tuple{"bob", "nn", "User: bob is not allowed to impersonate nn"},
        std::tuple{"admin", "alice", "Unauthorized connection for super-user: admin from IP 127.0.0.1"}}) {
    auto r = CairnWith(as(real, effective), {"ls", "/user"});
    EXPECT_NE(r.exit_code, 0) << real << " as " << effective;
    EXPECT_NE(r.out.find(why), std::string::npos) << r.out;
    auto g = CairnGrpc(as(real, effective), {"ls", "/user"});
    EXPECT_NE(g.exit_code, 0) << real << " as " << effective;
    EXPECT_NE(g.out.find(why), std::string::npos) << g.out;
  }
}

}  // namespace
}  // namespace cairn
