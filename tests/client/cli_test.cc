// The `cairn` CLI against a real MiniCluster, through MiniCluster::Cli (stdout and stderr
// merged): every command's happy path, --json shapes, and failures as exit code 1 (2 for
// usage errors) with exactly one line `cairn: <cmd>: <message>`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/mini_cluster.h"
#include "tests/support/shared_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

using cairn::testing::CommandResult;
using cairn::testing::MiniCluster;
using cairn::testing::MiniClusterOptions;
using nlohmann::json;

class CliTest : public cairn::testing::SharedClusterSuite<CliTest> {
 public:
  static MiniClusterOptions ClusterOptions() {
    MiniClusterOptions opts;
    opts.block_size = 64 * 1024;
    return opts;
  }

 protected:
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    local_ = cairn::testing::MakeTempDir("cli");
  }
  void TearDown() override { cairn::testing::RemoveTree(local_); }

  CommandResult Run(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                    const std::string& stdin_data = "") {
    auto r = cluster_->Cli(args, env, stdin_data);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }
  // Runs a command that must succeed.
  std::string Ok(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    CommandResult r = Run(args, {}, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.out;
    return r.out;
  }
  json Json(const std::vector<std::string>& args) {
    std::string out = Ok(args);
    auto j = json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out;
    return j;
  }
  // A failure: the exit code and exactly one line "cairn: <cmd>: ...".
  void ExpectFailure(const CommandResult& r, int code, const std::string& cmd, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, code) << r.out;
    EXPECT_EQ(r.out.rfind("cairn: " + cmd + ": ", 0), 0u) << r.out;
    ASSERT_FALSE(r.out.empty());
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "more than one line: " << r.out;
    EXPECT_NE(r.out.find(fragment), std::string::npos) << r.out;
  }

  std::string local_;
};


TEST_F(CliTest, PutGetCatRoundTrip) {
  const std::string data = cairn::testing::RandomBytes(200000, 1);
  ASSERT_OK(cairn::testing::WriteLocalFile(local_ + "/data.bin", data));
  Ok({"mkdir", "-p", "/io/in"});
  Ok({"put", local_ + "/data.bin", "/io/in"});  // an existing directory receives the file
  Ok({"put", local_ + "/data.bin", "/io/copy.bin"});
  Ok({"get", "/io/in/data.bin", local_ + "/back.bin"});
  ASSERT_OK_AND_ASSIGN(std::string back, cairn::testing::ReadLocalFile(local_ + "/back.bin"));
  EXPECT_TRUE(back == data);
  EXPECT_TRUE(Ok({"cat", "/io/copy.bin"}) == data);

  Ok({"put", "-", "/io/stdin.txt"}, "from stdin\n");
  EXPECT_EQ(Ok({"cat", "/io/stdin.txt", "/io/stdin.txt"}), "from stdin\nfrom stdin\n");

  // Existing target: refused without -f, replaced with -f.
  ExpectFailure(Run({"put", "-", "/io/stdin.txt"}, {}, "x"), 1, "put", "exists");
  Ok({"put", "-f", "--replication", "2", "-", "/io/stdin.txt"}, "replaced\n");
  EXPECT_EQ(Ok({"cat", "/io/stdin.txt"}), "replaced\n");
  json st = Json({"stat", "--json", "/io/stdin.txt"});
  EXPECT_EQ(st["replication"], 2);
  EXPECT_EQ(Ok({"ls", "/io"}).find("._COPYING_"), std::string::npos);

  // Directories need -r both ways.
  ASSERT_OK(cairn::testing::WriteLocalFile(local_ + "/data.bin.2", "two"));
  ExpectFailure(Run({"put", local_, "/io/tree"}), 1, "put", "directory");
  Ok({"put", "-r", local_, "/io/tree"});
  EXPECT_EQ(Ok({"cat", "/io/tree/data.bin.2"}), "two");
  Ok({"get", "-r", "/io/tree", local_ + "/tree-back"});
  ASSERT_OK_AND_ASSIGN(std::string two, cairn::testing::ReadLocalFile(local_ + "/tree-back/data.bin.2"));
  EXPECT_EQ(two, "two");
}

TEST_F(CliTest, LsMkdirRmMvStat) {
  Ok({"mkdir", "-p", "/ns/a/b/c"});
  ExpectFailure(Run({"mkdir", "/ns/x/y"}), 1, "mkdir", "");
  ExpectFailure(Run({"mkdir", "/ns/a"}), 1, "mkdir", "exists");
  Ok({"put", "-", "/ns/a/file"}, "12345");
  Ok({"touch", "/ns/a/empty"});

  std::string ls = Ok({"ls", "/ns/a"});
  EXPECT_NE(ls.find("Found 3 items"), std::string::npos) << ls;
  EXPECT_NE(ls.find("drwxr-xr-x"), std::string::npos) << ls;
  EXPECT_NE(ls.find("-rw-r--r--"), std::string::npos) << ls;
  EXPECT_NE(ls.find("/ns/a/file"), std::string::npos) << ls;
  EXPECT_NE(ls.find(" 5 "), std::string::npos) << ls;

  json listing = Json({"ls", "-R", "--json", "/ns"});
  std::set<std::string> paths;
  for (const auto& e : listing["entries"]) paths.insert(e["path"].get<std::string>());
  EXPECT_EQ(paths, (std::set<std::string>{"/ns/a", "/ns/a/b", "/ns/a/b/c", "/ns/a/file", "/ns/a/empty"}));

  json st = Json({"stat", "--json", "/ns/a/file"});
  EXPECT_EQ(st["type"], "file");
  EXPECT_EQ(st["length"], 5);
  EXPECT_EQ(st["permission"], "0644");
  EXPECT_EQ(st["replication"], 3);
  EXPECT_EQ(st["block_size"], 64 * 1024);
  EXPECT_EQ(Json({"stat", "--json", "/ns/a/b"})["type"], "directory");

  Ok({"mv", "/ns/a/file", "/ns/a/renamed"});
  Ok({"mv", "/ns/a/renamed", "/ns/a/empty", "/ns/a/b"});  // into an existing directory
  EXPECT_EQ(Ok({"cat", "/ns/a/b/renamed"}), "12345");
  ExpectFailure(Run({"cat", "/ns/a/renamed"}), 1, "cat", "/ns/a/renamed");

  ExpectFailure(Run({"rm", "/ns/a"}), 1, "rm", "directory");
  std::string rm = Ok({"rm", "-r", "/ns/a"});
  EXPECT_NE(rm.find("Deleted /ns/a"), std::string::npos);
  ExpectFailure(Run({"rm", "/ns/a"}), 1, "rm", "/ns/a");
  Ok({"rm", "-f", "/ns/a"});
  ExpectFailure(Run({"stat", "/ns/a"}), 1, "stat", "/ns/a");
}

TEST_F(CliTest, DuDfSetrepChmodChown) {
  const std::string data(100000, 'x');
  Ok({"put", "-", "/space/d/f1"}, data);
  Ok({"put", "-", "/space/d/f2"}, data);
  std::string du = Ok({"du", "-s", "/space/d"});
  EXPECT_NE(du.find("200000"), std::string::npos) << du;
  EXPECT_NE(du.find("600000"), std::string::npos) << du;  // three replicas
  json dus = Json({"du", "--json", "/space/d"});
  ASSERT_EQ(dus["entries"].size(), 2u);
  EXPECT_EQ(dus["entries"][0]["length"], 100000);
  EXPECT_EQ(dus["entries"][0]["space_consumed"], 300000);
  EXPECT_NE(Ok({"du", "-s", "-h", "/space/d"}).find("KiB"), std::string::npos);

  std::string df = Ok({"df", "-h"});
  EXPECT_NE(df.find("Filesystem"), std::string::npos);
  json dfj = Json({"df", "--json"});
  EXPECT_GT(dfj["capacity"].get<uint64_t>(), 0u);

  std::string setrep = Ok({"setrep", "2", "/space/d"});
  EXPECT_NE(setrep.find("Replication 2 set: /space/d/f1"), std::string::npos) << setrep;
  EXPECT_EQ(Json({"stat", "--json", "/space/d/f2"})["replication"], 2);
  ExpectFailure(Run({"setrep", "zero", "/space/d"}), 2, "setrep", "zero");

  Ok({"chmod", "700", "/space/d/f1"});
  EXPECT_EQ(Json({"stat", "--json", "/space/d/f1"})["permission"], "0700");
  Ok({"chmod", "g+r,o+r", "/space/d/f1"});
  EXPECT_EQ(Json({"stat", "--json", "/space/d/f1"})["permission"], "0744");
  ExpectFailure(Run({"chmod", "u+q", "/space/d/f1"}), 2, "chmod", "invalid mode");

  Ok({"chown", "alice:staff", "/space/d/f1"});
  json owned = Json({"stat", "--json", "/space/d/f1"});
  EXPECT_EQ(owned["owner"], "alice");
  EXPECT_EQ(owned["group"], "staff");
  Ok({"chown", ":other", "/space/d/f1"});
  EXPECT_EQ(Json({"stat", "--json", "/space/d/f1"})["group"], "other");
}

TEST_F(CliTest, FsckAndAdminReport) {
  Ok({"put", "-", "/health/f"}, std::string(150000, 'y'));
  // Replicas are known from block reports, which may trail the close by a moment.
  json fsck;
  auto all_replicated = [&] {
    fsck = Json({"fsck", "/health", "--json", "--blocks"});
    if (!fsck.contains("files") || fsck["files"].size() != 1) return false;
    for (const auto& b : fsck["files"][0]["blocks"]) {
      if (b["replicas"].size() != 3) return false;
    }
    return true;
  };
  ASSERT_EVENTUALLY(all_replicated(), 20000);
  EXPECT_EQ(fsck["status"], "HEALTHY");
  EXPECT_EQ(fsck["total_files"], 1);
  ASSERT_EQ(fsck["files"].size(), 1u);
  const auto& blocks = fsck["files"][0]["blocks"];
  ASSERT_EQ(blocks.size(), 3u);  // 150000 bytes in 64 KiB blocks
  for (const auto& b : blocks) {
    EXPECT_EQ(b["replicas"].size(), 3u);
    for (const auto& r : b["replicas"]) EXPECT_FALSE(r["datanode"].get<std::string>().empty());
  }
  std::string text = Ok({"fsck", "/health", "--blocks"});
  EXPECT_NE(text.find("Status: HEALTHY"), std::string::npos) << text;
  EXPECT_NE(text.find("blk_"), std::string::npos) << text;

  json report = Json({"admin", "report", "--json"});
  ASSERT_EQ(report["datanodes"].size(), 3u);
  EXPECT_EQ(report["live_datanodes"], 3);
  for (const auto& dn : report["datanodes"]) {
    EXPECT_EQ(dn["state"], "live");
    EXPECT_EQ(dn["rack"], "/rack0");
    EXPECT_GT(dn["capacity"].get<uint64_t>(), 0u);
    EXPECT_TRUE(dn.contains("used") && dn.contains("remaining") && dn.contains("blocks") &&
                dn.contains("last_heartbeat_ms_ago"));
  }
  EXPECT_NE(Ok({"admin", "report"}).find("Live datanodes (3)"), std::string::npos);
}

TEST_F(CliTest, ErrorsAreOneLineWithExitCodes) {
  ExpectFailure(Run({"cat", "/missing/file"}), 1, "cat", "/missing/file");
  ExpectFailure(Run({"ls", "relative/path"}), 1, "ls", "not absolute");
  ExpectFailure(Run({"ls", "--bogus", "/"}), 2, "ls", "--bogus");
  ExpectFailure(Run({"mv", "/only-one"}), 2, "mv", "");
  CommandResult unknown = Run({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("unknown command"), std::string::npos);

  // Permission denied for another user.
  Ok({"mkdir", "-p", "/private"});
  Ok({"chmod", "700", "/private"});
  CommandResult denied = Run({"put", "-", "/private/x"}, {"CAIRN_USER=someone"}, "data");
  ExpectFailure(denied, 1, "put", "ermission denied");
  CommandResult denied_ls = Run({"ls", "/private"}, {"CAIRN_USER=someone"});
  ExpectFailure(denied_ls, 1, "ls", "ermission denied");
  // The same with --user.
  ExpectFailure(Run({"--user", "someone", "mkdir", "/private/sub"}), 1, "mkdir", "ermission denied");

  // Administration mistakes: unknown nodes, bad values, a superuser-only change.
  ExpectFailure(Run({"admin", "decommission"}), 2, "admin", "");
  ExpectFailure(Run({"admin", "decommission", "--wait", "soon", "127.0.0.1:1"}), 2, "admin", "--wait");
  ExpectFailure(Run({"admin", "decommission", "10.255.0.1:1"}), 1, "admin", "10.255.0.1:1");
  ExpectFailure(Run({"--user", "someone", "admin", "recommission", "10.255.0.1:1"}), 1, "admin", "");
  ExpectFailure(Run({"recoverlease", "/missing/file"}), 1, "recoverlease", "/missing/file");
  Ok({"touch", "/closed"});
  EXPECT_NE(Ok({"recoverlease", "/closed"}).find("lease recovered"), std::string::npos);

  // Help everywhere exits 0.
  for (const char* cmd : {"ls", "put", "get", "fsck", "du", "df", "chmod", "recoverlease"}) {
    CommandResult help = Run({cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.out.find("usage: cairn"), std::string::npos) << cmd;
  }
}

}  // namespace
}  // namespace cairn::client
