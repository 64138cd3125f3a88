// --security=kerberos against a real MIT KDC (tools/kdc): stock `hdfs` and `cairn` work
// with a ticket and fail clearly without one, claimed user names gain nothing, users reach
// only what permissions give them, the namenode's principal is the superuser, and the
// gRPC door (whose user header proves nothing) refuses every call.
#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/shared_cluster.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

using testing::CommandResult;
using testing::MiniClusterOptions;
using testing::RunCommand;

class KerberosTest : public testing::SharedClusterSuite<KerberosTest> {
 public:
  static MiniClusterOptions ClusterOptions() {
    MiniClusterOptions o;
    o.datanodes = 1;
    o.replication = 1;
    o.kerberos = true;
    return o;
  }

 protected:
  // `cairn ARGS` as `user` (with that user's ticket).
  CommandResult Cairn(const std::string& user, const std::vector<std::string>& args, const std::string& in = "") {
    auto env = cluster_->KerberosEnv(user);
    EXPECT_TRUE(env.ok()) << env.status().ToString();
    auto r = cluster_->Cli(args, env.ok() ? *env : std::vector<std::string>{}, in);
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

  // The gRPC door's user header is a claim: in kerberos mode that door refuses everyone.
  auto grpc = RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn", "--namenode", cluster_->namenode_address(), "ls", "/"},
                         {"CAIRN_USER=nn", "CAIRN_NAMENODE_PRINCIPAL="});
  ASSERT_TRUE(grpc.ok());
  EXPECT_NE(grpc->exit_code, 0);
  EXPECT_NE(grpc->out.find("does not authenticate callers"), std::string::npos) << grpc->out;
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

}  // namespace
}  // namespace cairn
