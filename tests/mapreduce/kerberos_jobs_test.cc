// Compute in --security=kerberos mode, on a real KDC and real daemons: clients log in to
// the job master with Kerberos (a claimed user name gains nothing, no ticket gets a clear
// refusal), every job carries its user's delegation token and its tasks run as that user's
// local account with that token only, so a streaming mapper prints the submitter and still
// cannot open a block file by its path; what the user may not read, the user's job may
// not read either; only the owner or the job master's principal kills a job; and the
// executor protocol serves only datanodes with a certificate from the cluster CA.
#include <unistd.h>

#include <filesystem>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cairn/compute.grpc.pb.h"
#include "cairn/ml_worker.grpc.pb.h"
#include "common/delegation_token.h"
#include "common/grpc_status.h"
#include "tests/mapreduce/mr_test_util.h"
#include "tests/support/test_util.h"

namespace cairn::testing {
namespace {

constexpr int kTokenRenewIntervalMs = 8000;

class KerberosJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "kerberos executors switch to each job's user only when run as root";
    MiniClusterOptions o;
    o.datanodes = 1;
    o.replication = 1;
    o.block_size = 64 * 1024;
    o.jobmaster = true;
    o.kerberos = true;
    // Short enough for a job to outlive its token's renew interval, renewed by the job master.
    o.namenode_flags = {"--namenode_delegation_token_renew_interval_ms=" + std::to_string(kTokenRenewIntervalMs)};
    o.jobmaster_flags = {"--jobmaster_token_renew_interval_ms=2000"};
    ASSERT_OK_AND_ASSIGN(cluster_, MiniCluster::Start(o));
    ASSERT_OK_AND_ASSIGN(fs_, cluster_->Connect());  // the superuser (the namenode's principal)
    for (const char* user : {"alice", "bob"}) {
      const std::string home = std::string("/user/") + user;
      ASSERT_OK(fs_->Mkdirs(home));
      ASSERT_OK(fs_->Chown(home, user, user));
    }
    text_ = GenerateText(40 * 1024, 7);
    CommandResult put = Cairn("alice", {"put", "-", "/user/alice/in"}, text_);
    ASSERT_EQ(put.exit_code, 0) << put.out;
    ASSERT_EQ(Cairn("alice", {"chmod", "600", "/user/alice/in"}).exit_code, 0);
  }
  // `cairn ARGS` as `user`, with that user's ticket.
  CommandResult Cairn(const std::string& user, const std::vector<std::string>& args, const std::string& in = "") {
    auto r = cluster_->CliAs(user, args, in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  // `cairn job submit … --wait --json` as `user`; the JSON report, or the command's output.
  Result<nlohmann::json> Submit(const std::string& user, const std::vector<std::string>& extra, std::string* out) {
    std::vector<std::string> args = {"job", "submit", "--reducers", "0", "--wait", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult r = Cairn(user, args);
    *out = r.out;
    return JobReportJson(r.out);
  }
  // A raw client of the job master's port over TLS without a certificate.
  std::shared_ptr<grpc::Channel> TlsChannel() const {
    auto pem = ReadLocalFile(cluster_->ca_dir() + "/ca.crt");
    EXPECT_TRUE(pem.ok());
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = pem.ok() ? *pem : "";
    return grpc::CreateChannel(cluster_->jobmaster_address(), grpc::SslCredentials(o));
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::FileSystem> fs_;
  std::string text_;
};

TEST_F(KerberosJobsTest, AJobsTasksRunAsItsUserWithItsTokenAndCannotReadBlockFiles) {
  const std::string block = FirstBlockFile(*cluster_);
  ASSERT_FALSE(block.empty());
  const std::string mapper = "sh -c 'wc -c | tr -d \" \"; id -un; cat " + block +
                             " > /dev/null 2>&1 && echo read-the-block || echo refused; env'";
  std::string out;
  ASSERT_OK_AND_ASSIGN(nlohmann::json status,
                       Submit("alice", {"--input", "/user/alice/in", "--mapper", mapper, "--output", "/user/alice/out"},
                              &out));
  ASSERT_EQ(status["state"], "SUCCEEDED") << status.dump();
  EXPECT_EQ(status["user"], "alice") << status.dump();
  ASSERT_OK_AND_ASSIGN(std::string result, ReadOutput(*fs_, "/user/alice/out"));
  EXPECT_NE(result.find(std::to_string(text_.size())), std::string::npos) << result;  // its whole split
  EXPECT_NE(result.find("\nalice\n"), std::string::npos) << result;
  EXPECT_NE(result.find("refused"), std::string::npos) << result;
  EXPECT_EQ(result.find("read-the-block"), std::string::npos) << result;
  // No daemon credentials in the task's environment.
  EXPECT_EQ(result.find("KRB5"), std::string::npos) << result;
  EXPECT_EQ(result.find("keytab"), std::string::npos) << result;
  // The split was read from the local replica through the handed-over descriptors.
  EXPECT_EQ(status["counters"]["cairn"]["bytes_read_local"], text_.size()) << status["counters"].dump();
  // The output was committed as alice, with her token.
  ASSERT_OK_AND_ASSIGN(client::FileStatus st, fs_->Stat("/user/alice/out/_SUCCESS"));
  EXPECT_EQ(st.owner, "alice");
}

TEST_F(KerberosJobsTest, TheJobMasterRenewsAJobsTokenWhileItRuns) {
  // The mapper outlives the token's 8 s renew interval; its output and the job's commit
  // then need the token the job master kept renewing.
  std::string out;
  ASSERT_OK_AND_ASSIGN(nlohmann::json status, Submit("alice", {"--input", "/user/alice/in", "--mapper",
                                                               "sh -c 'sleep 12; head -c 100'", "--output",
                                                               "/user/alice/late"},
                                                     &out));
  EXPECT_EQ(status["state"], "SUCCEEDED") << status.dump();
  ASSERT_OK_AND_ASSIGN(std::string result, ReadOutput(*fs_, "/user/alice/late"));
  EXPECT_FALSE(result.empty());
}

TEST_F(KerberosJobsTest, ATaskHoldsOnlyItsUsersTokenWhichDiesWithTheJob) {
  // The mapper prints its own task description (its work dir is its cwd).
  std::string out;
  ASSERT_OK_AND_ASSIGN(nlohmann::json status,
                       Submit("alice", {"--input", "/user/alice/in", "--mapper",
                                        "sh -c 'cat > /dev/null; base64 -w0 task.pb; echo'", "--output",
                                        "/user/alice/spec"},
                              &out));
  ASSERT_EQ(status["state"], "SUCCEEDED") << status.dump();
  ASSERT_OK_AND_ASSIGN(std::string result, ReadOutput(*fs_, "/user/alice/spec"));
  ASSERT_OK_AND_ASSIGN(CommandResult decoded,
                       RunCommand({"base64", "-d"}, {}, result.substr(0, result.find('\t')), /*merge_stderr=*/false));
  TaskSpec spec;
  ASSERT_TRUE(spec.ParseFromString(decoded.out)) << result.substr(0, 200);
  ASSERT_FALSE(spec.delegation_token().empty());
  hadoop::common::TokenProto token;
  ASSERT_TRUE(token.ParseFromString(spec.delegation_token()));
  ASSERT_OK_AND_ASSIGN(DelegationTokenIdentifier id, DecodeDelegationTokenIdentifier(token.identifier()));
  EXPECT_EQ(id.owner, "alice");
  EXPECT_EQ(id.renewer, "jm");
  // The job has ended, so the job master has cancelled its token: logging in with it fails.
  const std::string file = cluster_->dir() + "/stolen.token";
  ASSERT_OK(WriteLocalFile(file, EncodeTokenStorage({token})));
  std::vector<std::string> env = cluster_->NoTicketEnv();
  env.push_back("HADOOP_TOKEN_FILE_LOCATION=" + file);
  ASSERT_OK_AND_ASSIGN(CommandResult ls, cluster_->Cli({"ls", "/user/alice"}, env));
  EXPECT_NE(ls.exit_code, 0) << ls.out;
  EXPECT_NE(ls.out.find("can't be found"), std::string::npos) << ls.out;
}

TEST_F(KerberosJobsTest, AUsersJobReadsOnlyWhatTheUserMay) {
  // alice's input is 0600: bob's job, planned and run with bob's token, cannot read it.
  CommandResult r = Cairn("bob", {"job", "submit", "--input", "/user/alice/in", "--mapper", "cat", "--reducers", "0",
                                  "--output", "/user/bob/out", "--wait"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ermission"), std::string::npos) << r.out;
  auto leaked = ReadOutput(*fs_, "/user/bob/out");
  EXPECT_TRUE(!leaked.ok() || leaked->find(text_.substr(0, 40)) == std::string::npos);
  // Claiming to be alice gains nothing: the job is bob's, and its task runs as bob.
  CommandResult put = Cairn("bob", {"put", "-", "/user/bob/in"}, "bob's line\n");
  ASSERT_EQ(put.exit_code, 0) << put.out;
  auto env = cluster_->KerberosEnv("bob");
  ASSERT_TRUE(env.ok());
  env->push_back("CAIRN_USER=alice");
  env->push_back("HADOOP_USER_NAME=alice");
  ASSERT_OK_AND_ASSIGN(CommandResult claimed,
                       cluster_->Cli({"job", "submit", "--input", "/user/bob/in", "--mapper", "sh -c 'cat; id -un'",
                                      "--reducers", "0", "--output", "/user/bob/who", "--wait", "--json"},
                                     *env));
  ASSERT_EQ(claimed.exit_code, 0) << claimed.out;
  ASSERT_OK_AND_ASSIGN(nlohmann::json report, JobReportJson(claimed.out));
  EXPECT_EQ(report["user"], "bob") << claimed.out;
  ASSERT_OK_AND_ASSIGN(std::string who, ReadOutput(*fs_, "/user/bob/who"));
  EXPECT_NE(who.find("\nbob\n"), std::string::npos) << who;
  EXPECT_EQ(who.find("alice"), std::string::npos) << who;
  // Nor does alice see bob's job.
  const std::string id = report["job_id"];
  CommandResult peek = Cairn("alice", {"job", "status", id});
  EXPECT_NE(peek.exit_code, 0) << peek.out;
  EXPECT_NE(peek.out.find("alice may not see bob's job"), std::string::npos) << peek.out;
}

TEST_F(KerberosJobsTest, OnlyTheOwnerOrTheJobMastersPrincipalKillsAJob) {
  for (const std::string killer : {"alice", "jm"}) {
    CommandResult submitted = Cairn("alice", {"job", "submit", "--input", "/user/alice/in", "--mapper", "sleep 60",
                                              "--reducers", "0", "--output", "/user/alice/slow-" + killer});
    ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
    std::string id = submitted.out.substr(0, submitted.out.find('\n'));
    CommandResult by_bob = Cairn("bob", {"job", "kill", id});
    EXPECT_NE(by_bob.exit_code, 0) << by_bob.out;
    EXPECT_NE(by_bob.out.find("bob may not kill alice's job"), std::string::npos) << by_bob.out;
    CommandResult killed = Cairn(killer, {"job", "kill", id});
    EXPECT_EQ(killed.exit_code, 0) << killer << ": " << killed.out;
    CommandResult status = Cairn(killer, {"job", "status", id, "--json"});
    EXPECT_NE(status.out.find("KILLED"), std::string::npos) << killer << ": " << status.out;
  }
}

TEST_F(KerberosJobsTest, WithoutATicketTheJobMasterRefusesClearly) {
  std::vector<std::string> env = cluster_->NoTicketEnv();
  env.push_back("CAIRN_JOBMASTER_PRINCIPAL=" + std::string(kJobMasterPrincipal));
  ASSERT_OK_AND_ASSIGN(CommandResult r, cluster_->Cli({"job", "list"}, env));
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("icket"), std::string::npos) << r.out;
  // A raw call that only claims a user (x-cairn-user) is refused, as is one with garbage.
  auto stub = cairn::JobMaster::NewStub(TlsChannel());
  for (const std::string& token : {std::string(), std::string("garbage")}) {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kUserMetadataKey, "alice");
    if (!token.empty()) ctx.AddMetadata(kAuthnTokenMetadataKey, token);
    ListJobsRequest req;
    ListJobsResponse resp;
    grpc::Status st = stub->ListJobs(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  }
}

TEST_F(KerberosJobsTest, TheExecutorProtocolServesOnlyDatanodesWithACertificate) {
  auto executors = Cairn("nn", {"job", "executors", "--json"});
  ASSERT_EQ(executors.exit_code, 0) << executors.out;
  RegisterExecutorRequest req;
  req.set_executor_id("stranger-1");
  req.set_node("127.0.0.1:1");
  req.set_shuffle_address("127.0.0.1:2");
  // Over TLS without a client certificate: refused.
  {
    auto stub = ExecutorProtocol::NewStub(TlsChannel());
    grpc::ClientContext ctx;
    RegisterExecutorResponse resp;
    grpc::Status st = stub->RegisterExecutor(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  }
  // Plaintext: no TLS handshake, no call.
  {
    auto stub = ExecutorProtocol::NewStub(
        grpc::CreateChannel(cluster_->jobmaster_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    RegisterExecutorResponse resp;
    grpc::Status st = stub->RegisterExecutor(&ctx, req, &resp);
    EXPECT_FALSE(st.ok());
  }
  // With a datanode's certificate, but for a node at another address than it calls from:
  // refused, so a certificate cannot take over another node's executor.
  {
    auto pem = ReadLocalFile(cluster_->ca_dir() + "/ca.crt");
    auto cert = ReadLocalFile(cluster_->ca_dir() + "/dn0.crt");
    auto key = ReadLocalFile(cluster_->ca_dir() + "/dn0.key");
    ASSERT_TRUE(pem.ok() && cert.ok() && key.ok());
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = *pem;
    o.pem_cert_chain = *cert;
    o.pem_private_key = *key;
    auto stub = ExecutorProtocol::NewStub(grpc::CreateChannel(cluster_->jobmaster_address(), grpc::SslCredentials(o)));
    grpc::ClientContext ctx;
    RegisterExecutorRequest elsewhere = req;
    elsewhere.set_node("10.9.9.9:9866");
    RegisterExecutorResponse resp;
    grpc::Status st = stub->RegisterExecutor(&ctx, elsewhere, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    EXPECT_NE(st.error_message().find("registers from its own node"), std::string::npos) << st.error_message();
  }
  // The stranger is not among the executors, and the real one still is.
  auto after = Cairn("nn", {"job", "executors", "--json"});
  EXPECT_EQ(after.out.find("stranger-1"), std::string::npos) << after.out;
  EXPECT_EQ(after.out.find("10.9.9.9"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("executor_id"), std::string::npos) << after.out;
}

TEST_F(KerberosJobsTest, MlStepsReachWorkersOnlyThroughTheJobMastersCertificate) {
  // alice trains a model: her job's worker runs on the executor's node and is reached
  // through the executor's ML proxy.
  CommandResult gen = Cairn("alice", {"ml", "gen", "--kind", "classification", "--rows", "4000", "--features", "4",
                                      "/user/alice/points.bin"});
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  CommandResult train = Cairn("alice", {"ml", "train", "--algorithm", "logreg", "--input", "/user/alice/points.bin",
                                        "--model", "/user/alice/logreg.model", "--json"});
  ASSERT_EQ(train.exit_code, 0) << train.out;
  EXPECT_NE(train.out.find("accuracy"), std::string::npos) << train.out;
  // A stranger on the executor's port, over TLS without a certificate or with a datanode's,
  // gets no step run.
  CommandResult executors = Cairn("nn", {"job", "executors", "--json"});
  ASSERT_EQ(executors.exit_code, 0) << executors.out;
  const std::string shuffle = nlohmann::json::parse(executors.out.substr(executors.out.find('[')))[0]["shuffle_address"];
  auto pem = ReadLocalFile(cluster_->ca_dir() + "/ca.crt");
  ASSERT_TRUE(pem.ok());
  auto dn_cert = ReadLocalFile(cluster_->ca_dir() + "/dn0.crt");
  auto dn_key = ReadLocalFile(cluster_->ca_dir() + "/dn0.key");
  ASSERT_TRUE(dn_cert.ok() && dn_key.ok());
  for (bool with_datanode_cert : {false, true}) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = *pem;
    if (with_datanode_cert) {
      o.pem_private_key = *dn_key;
      o.pem_cert_chain = *dn_cert;
    }
    auto stub = MlWorkerProxy::NewStub(grpc::CreateChannel(shuffle, grpc::SslCredentials(o)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    MlProxyComputeRequest req;
    req.set_job_id("job_1_0001");
    MlPartial partial;
    grpc::Status st = stub->Compute(&ctx, req, &partial);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << with_datanode_cert << ": " << st.error_message();
  }
}

}  // namespace
}  // namespace cairn::testing
