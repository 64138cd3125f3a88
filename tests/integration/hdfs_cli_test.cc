// A stock HDFS client against Cairn: Debian's hdfs-cli (the Go client's `hdfs` command)
// talks to the namenode's Hadoop IPC port and to the datanodes' transfer ports exactly as
// it would to Hadoop. Every everyday command is checked for its effect, byte for byte
// where data is involved, and files cross between `hdfs` and `cairn` both ways.
#include <pwd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/test_util.h"

namespace cairn {
namespace {

using testing::CommandResult;
using testing::MiniCluster;
using testing::MiniClusterOptions;

constexpr uint64_t kBlockSize = 64 * 1024;

int64_t ModificationTime(const std::string& stat_json) {
  auto j = nlohmann::json::parse(stat_json, nullptr, false);
  return j.is_discarded() ? -1 : j.value("modification_time", int64_t{-1});
}

std::string OsUser() {
  struct passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

class HdfsCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists("/usr/bin/hdfs")) return;  // SetUp skips with a message
    MiniClusterOptions opts;
    opts.block_size = kBlockSize;
    auto c = MiniCluster::Start(opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value().release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/hdfs"))
      GTEST_SKIP() << "hdfs-cli is not installed (tools/install-deps installs it)";
    ASSERT_NE(cluster_, nullptr);
    local_ = testing::MakeTempDir("hdfscli");
  }
  void TearDown() override {
    if (!local_.empty()) testing::RemoveTree(local_);
  }

  // The superuser: whoever runs the namenode (in kerberos mode, its principal's name).
  std::string Superuser() const { return cluster_->kerberos() ? "nn" : OsUser(); }
  // Runs `hdfs ARGS...` as `user` (default: the superuser): in kerberos mode with that
  // user's ticket and the cluster's Hadoop configuration, else naming the user.
  CommandResult Hdfs(const std::vector<std::string>& args, const std::string& user = "") {
    std::vector<std::string> argv = {"/usr/bin/hdfs"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env = {"HADOOP_NAMENODE=" + cluster_->hadoop_address(),
                                    "HADOOP_USER_NAME=" + (user.empty() ? OsUser() : user),
                                    "HADOOP_CONF_DIR=/nonexistent"};
    if (cluster_->kerberos()) {
      auto ticket = cluster_->KerberosEnv(user.empty() ? "nn" : user);
      EXPECT_TRUE(ticket.ok()) << ticket.status().ToString();
      if (ticket.ok()) env = *ticket;
      env.push_back("HADOOP_NAMENODE=" + cluster_->hadoop_address());
    }
    auto r = testing::RunCommand(argv, env);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  std::string HdfsOk(const std::vector<std::string>& args, const std::string& user = "") {
    CommandResult r = Hdfs(args, user);
    EXPECT_EQ(r.exit_code, 0) << "hdfs " << args[0] << ": " << r.out;
    return r.out;
  }
  std::string CairnOk(const std::vector<std::string>& args) {
    auto r = cluster_->Cli(args);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << "cairn " << args[0] << ": " << r->out;
    return r->out;
  }
  std::string Local(const std::string& name, const std::string& data) {
    std::string path = local_ + "/" + name;
    EXPECT_OK(testing::WriteLocalFile(path, data));
    return path;
  }
  std::string ReadBack(const std::string& path) {
    auto r = testing::ReadLocalFile(path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "";
  }

  static MiniCluster* cluster_;
  std::string local_;
};

MiniCluster* HdfsCliTest::cluster_ = nullptr;

TEST_F(HdfsCliTest, MkdirPutLsCatGetByteForByte) {
  HdfsOk({"mkdir", "-p", "/hc/put/deep/er"});
  for (size_t size : {size_t{0}, size_t{1}, size_t{511}, size_t{513}, kBlockSize, kBlockSize * 4 + 77}) {
    const std::string data = testing::RandomBytes(size, size + 3);
    const std::string name = "f" + std::to_string(size);
    HdfsOk({"put", Local(name, data), "/hc/put/deep/" + name});
    EXPECT_TRUE(HdfsOk({"cat", "/hc/put/deep/" + name}) == data) << "cat of " << size << " bytes";
    HdfsOk({"get", "/hc/put/deep/" + name, local_ + "/" + name + ".back"});
    EXPECT_TRUE(ReadBack(local_ + "/" + name + ".back") == data) << "get of " << size << " bytes";
  }
  std::string ls = HdfsOk({"ls", "-l", "/hc/put/deep"});
  std::regex big_line("-rw-r--r-- +" + Superuser() + " +supergroup +" + std::to_string(kBlockSize * 4 + 77) +
                      " .* f" + std::to_string(kBlockSize * 4 + 77));
  EXPECT_TRUE(std::regex_search(ls, big_line)) << ls;
  EXPECT_TRUE(std::regex_search(ls, std::regex("drwxr-xr-x +" + Superuser() + " +supergroup .* er"))) << ls;

  // head, tail and getmerge read ranges and several files.
  const std::string data = testing::RandomBytes(kBlockSize * 2 + 5, 99);
  HdfsOk({"put", Local("ht", data), "/hc/put/ht"});
  EXPECT_TRUE(HdfsOk({"head", "-c", "100", "/hc/put/ht"}) == data.substr(0, 100));
  EXPECT_TRUE(HdfsOk({"tail", "-c", "100", "/hc/put/ht"}) == data.substr(data.size() - 100));
  HdfsOk({"getmerge", "/hc/put/deep", local_ + "/merged"});
  EXPECT_GT(ReadBack(local_ + "/merged").size(), kBlockSize * 4);
}

TEST_F(HdfsCliTest, MvRmAndErrors) {
  HdfsOk({"mkdir", "-p", "/hc/mv/a"});
  HdfsOk({"put", Local("x", "hello"), "/hc/mv/a/x"});
  HdfsOk({"mv", "/hc/mv/a/x", "/hc/mv/y"});
  EXPECT_EQ(HdfsOk({"cat", "/hc/mv/y"}), "hello");
  EXPECT_NE(Hdfs({"cat", "/hc/mv/a/x"}).exit_code, 0);
  HdfsOk({"mv", "/hc/mv/a", "/hc/mv/b"});
  EXPECT_NE(HdfsOk({"ls", "/hc/mv"}).find("b"), std::string::npos);

  HdfsOk({"put", Local("z", "zz"), "/hc/mv/b/z"});
  CommandResult non_recursive = Hdfs({"rm", "/hc/mv/b"});
  EXPECT_NE(non_recursive.exit_code, 0) << non_recursive.out;
  EXPECT_EQ(HdfsOk({"cat", "/hc/mv/b/z"}), "zz");  // nothing was deleted
  HdfsOk({"rm", "-r", "/hc/mv/b"});
  EXPECT_NE(Hdfs({"ls", "/hc/mv/b"}).exit_code, 0);
  CommandResult missing = Hdfs({"cat", "/hc/does/not/exist"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.out.find("file does not exist"), std::string::npos) << missing.out;
  CommandResult exists = Hdfs({"mkdir", "/hc/mv"});
  EXPECT_NE(exists.exit_code, 0);
  EXPECT_NE(exists.out.find("file already exists"), std::string::npos) << exists.out;
}

TEST_F(HdfsCliTest, ChmodChownTouch) {
  HdfsOk({"mkdir", "-p", "/hc/attr"});
  HdfsOk({"touch", "/hc/attr/t"});
  EXPECT_EQ(HdfsOk({"cat", "/hc/attr/t"}), "");
  HdfsOk({"chmod", "640", "/hc/attr/t"});
  HdfsOk({"chown", "alice:staff", "/hc/attr/t"});
  std::string ls = HdfsOk({"ls", "-l", "/hc/attr"});
  EXPECT_TRUE(std::regex_search(ls, std::regex("-rw-r----- +alice +staff +0 .* t"))) << ls;
  // cairn sees the same attributes.
  std::string stat = CairnOk({"stat", "--json", "/hc/attr/t"});
  EXPECT_NE(stat.find("\"alice\""), std::string::npos) << stat;
  EXPECT_NE(stat.find("\"staff\""), std::string::npos) << stat;
  // touch of an existing file moves its modification time to now (hdfs-cli sends whole seconds).
  auto fs = cluster_->Connect();
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  ASSERT_OK((*fs)->SetTimes("/hc/attr/t", 1000, 1000));
  EXPECT_EQ(ModificationTime(CairnOk({"stat", "--json", "/hc/attr/t"})), 1000);
  const int64_t start_s = WallMillis() / 1000;
  HdfsOk({"touch", "/hc/attr/t"});
  EXPECT_GE(ModificationTime(CairnOk({"stat", "--json", "/hc/attr/t"})), start_s * 1000);
}

TEST_F(HdfsCliTest, TruncateDuDf) {
  HdfsOk({"mkdir", "-p", "/hc/space"});
  const std::string data = testing::RandomBytes(kBlockSize * 3, 5);
  HdfsOk({"put", Local("d", data), "/hc/space/d"});
  HdfsOk({"truncate", std::to_string(kBlockSize * 2), "/hc/space/d"});
  EXPECT_TRUE(HdfsOk({"cat", "/hc/space/d"}) == data.substr(0, kBlockSize * 2));

  HdfsOk({"put", Local("e", data), "/hc/space/e"});
  std::string du = HdfsOk({"du", "-s", "/hc/space"});
  EXPECT_EQ(du.substr(0, du.find_first_of(" \t")), std::to_string(kBlockSize * 2 + data.size())) << du;
  // As in HDFS, datanodes report their used space with heartbeats: poll until the puts show.
  const std::regex df_row(R"(\n\S+\s+(\d+)\s+(\d+)\s+(\d+))");
  std::string df;
  std::smatch m;
  ASSERT_EVENTUALLY((df = HdfsOk({"df"}), std::regex_search(df, m, df_row) && std::stoull(m[2]) >= data.size()),
                    30000);
  EXPECT_GT(std::stoull(m[1]), std::stoull(m[2])) << "capacity must exceed used: " << df;
}

// A cut inside a block: the namenode answers "not done yet" (false) and finishes by block
// recovery. hdfs-cli 2.3 ignores that answer (Hadoop's `-truncate -w` polls instead), so the
// test waits for the file to close, as `-w` would, before reading it back.
TEST_F(HdfsCliTest, TruncateInsideABlock) {
  HdfsOk({"mkdir", "-p", "/hc/cut"});
  const std::string data = testing::RandomBytes(kBlockSize * 2 + 300, 6);
  HdfsOk({"put", Local("c", data), "/hc/cut/c"});
  auto closed = [&] {
    auto fs = cluster_->Connect();
    if (!fs.ok()) return false;
    auto c = (*fs)->IsFileClosed("/hc/cut/c");
    return c.ok() && *c;
  };
  HdfsOk({"truncate", "1000", "/hc/cut/c"});
  ASSERT_EVENTUALLY(closed(), 30000);
  EXPECT_TRUE(HdfsOk({"cat", "/hc/cut/c"}) == data.substr(0, 1000));
  EXPECT_TRUE(CairnOk({"cat", "/hc/cut/c"}) == data.substr(0, 1000));
  // Again, inside the same (now only) block and off a checksum chunk boundary.
  HdfsOk({"truncate", "10", "/hc/cut/c"});
  ASSERT_EVENTUALLY(closed(), 30000);
  EXPECT_TRUE(HdfsOk({"cat", "/hc/cut/c"}) == data.substr(0, 10));
}

TEST_F(HdfsCliTest, ChecksumIsTheSameOnEveryReplica) {
  const std::string data = testing::RandomBytes(kBlockSize * 2 + 300, 8);
  HdfsOk({"mkdir", "-p", "/hc"});  // ctest runs each test alone, on a fresh cluster
  HdfsOk({"put", Local("c", data), "/hc/sum1"});
  HdfsOk({"put", Local("c", data), "/hc/sum2"});
  auto sum_of = [&](const std::string& path) {
    std::string out = HdfsOk({"checksum", path});
    return out.substr(0, out.find(' '));
  };
  const std::string sum = sum_of("/hc/sum1");
  ASSERT_EQ(sum.size(), 32u) << sum;
  EXPECT_EQ(sum_of("/hc/sum2"), sum);
  // With replication 3 on 3 datanodes every node has every block: take all but one node
  // down in turn, so each answer comes from a different replica.
  for (int keep = 0; keep < cluster_->num_datanodes(); ++keep) {
    for (int i = 0; i < cluster_->num_datanodes(); ++i)
      if (i != keep) ASSERT_OK(cluster_->StopDatanode(i, SIGKILL));
    EXPECT_EQ(sum_of("/hc/sum1"), sum) << "replica on datanode " << keep;
    for (int i = 0; i < cluster_->num_datanodes(); ++i)
      if (i != keep) ASSERT_OK(cluster_->RestartDatanode(i));
    ASSERT_OK(cluster_->WaitForLiveDatanodes(cluster_->num_datanodes()));
  }
}

TEST_F(HdfsCliTest, PermissionDeniedForAnotherUser) {
  HdfsOk({"mkdir", "-p", "/hc/private"});
  HdfsOk({"put", Local("s", "secret"), "/hc/private/s"});
  HdfsOk({"chmod", "600", "/hc/private/s"});
  CommandResult mk = Hdfs({"mkdir", "/hc/private/bobs"}, "bob");
  EXPECT_NE(mk.exit_code, 0);
  EXPECT_NE(mk.out.find("permission denied"), std::string::npos) << mk.out;
  CommandResult cat = Hdfs({"cat", "/hc/private/s"}, "bob");
  EXPECT_NE(cat.exit_code, 0);
  EXPECT_NE(cat.out.find("AccessControlException"), std::string::npos) << cat.out;
  CommandResult rm = Hdfs({"rm", "/hc/private/s"}, "bob");
  EXPECT_NE(rm.exit_code, 0);
  EXPECT_EQ(HdfsOk({"cat", "/hc/private/s"}), "secret");
  // bob can work in a directory he owns.
  HdfsOk({"mkdir", "/hc/bob"});
  HdfsOk({"chown", "bob", "/hc/bob"});
  HdfsOk({"put", Local("b", "bob's"), "/hc/bob/b"}, "bob");
  std::string ls = HdfsOk({"ls", "-l", "/hc/bob"}, "bob");
  EXPECT_NE(ls.find("bob"), std::string::npos) << ls;
}

TEST_F(HdfsCliTest, FilesCrossBetweenHdfsAndCairn) {
  const std::string a = testing::RandomBytes(kBlockSize * 3 + 11, 21);
  const std::string b = testing::RandomBytes(kBlockSize * 2 + 999, 22);
  HdfsOk({"mkdir", "-p", "/hc/cross"});
  HdfsOk({"put", Local("a", a), "/hc/cross/from-hdfs"});
  EXPECT_TRUE(CairnOk({"cat", "/hc/cross/from-hdfs"}) == a);
  CairnOk({"put", Local("b", b), "/hc/cross/from-cairn"});
  EXPECT_TRUE(HdfsOk({"cat", "/hc/cross/from-cairn"}) == b);
  HdfsOk({"get", "/hc/cross/from-cairn", local_ + "/b.back"});
  EXPECT_TRUE(ReadBack(local_ + "/b.back") == b);
}

}  // namespace
}  // namespace cairn
