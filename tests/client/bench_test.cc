// cairn-bench against a MiniCluster with tiny sizes: each benchmark prints one JSON line
// with its figure, the baseline measured in the same run, and their ratio.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/mini_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace cairn::client {
namespace {

using cairn::testing::MiniCluster;
using nlohmann::json;

class BenchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = MiniCluster::Start();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
    local_ = cairn::testing::MakeTempDir("bench");
  }
  void TearDown() override { cairn::testing::RemoveTree(local_); }

  json RunBench(std::vector<std::string> args) {
    args.insert(args.begin(), std::string(CAIRN_BIN_DIR) + "/cairn-bench");
    args.insert(args.end(), {"--namenode", cluster_->client_namenode_address(), "--local-dir", local_, "--runs", "2"});
    auto r = cairn::testing::RunCommand(args, {}, "", /*merge_stderr=*/false);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return json();
    EXPECT_EQ(r->exit_code, 0) << r->out;
    EXPECT_EQ(std::count(r->out.begin(), r->out.end(), '\n'), 1) << "one line per figure: " << r->out;
    auto j = json::parse(r->out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->out;
    return j;
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::string local_;
};

TEST_F(BenchTest, DfsioWriteAndReadReportRatiosAgainstLocalFiles) {
  for (const char* op : {"--write", "--read"}) {
    json j = RunBench({"dfsio", op, "--size", "1MiB", "--files", "2"});
    EXPECT_EQ(j["bench"], "dfsio");
    EXPECT_EQ(j["op"], std::string(op).substr(2));
    EXPECT_EQ(j["bytes"], 2 << 20);
    EXPECT_EQ(j["runs"], 2);
    EXPECT_GT(j["mib_per_s"].get<double>(), 0.0);
    EXPECT_GT(j["baseline_mib_per_s"].get<double>(), 0.0);
    EXPECT_NEAR(j["ratio"].get<double>(), j["mib_per_s"].get<double>() / j["baseline_mib_per_s"].get<double>(), 1e-9);
    EXPECT_FALSE(j["baseline"].get<std::string>().empty());
  }
}

TEST_F(BenchTest, NamenodeOpsPerSecond) {
  for (const char* op : {"create", "mkdirs", "getFileInfo", "delete", "listing"}) {
    json j = RunBench({"nn", "--op", op, "--threads", "2", "--ops", "40"});
    EXPECT_EQ(j["bench"], "nn");
    EXPECT_EQ(j["op"], op);
    EXPECT_EQ(j["ops"], 40);
    EXPECT_EQ(j["threads"], 2);
    EXPECT_GT(j["ops_per_s"].get<double>(), 0.0);
    EXPECT_GT(j["baseline_ops_per_s"].get<double>(), 0.0);
  }
}

// Scale mode: the preloaded files are really on the namenode (1,000 per directory), the
// timed operations ran beside them, and the figure says how many and how fast they loaded.
TEST_F(BenchTest, NamenodeScaleModePreloadsFilesFirst) {
  json j = RunBench({"nn", "--op", "getFileInfo", "--threads", "2", "--ops", "200", "--preload", "2500", "--keep",
                     "--dir", "/bench-scale", "--namenode-pid", std::to_string(cluster_->namenode_pid())});
  EXPECT_EQ(j["preload_files"], 2500);
  EXPECT_GT(j["preload_files_per_s"].get<double>(), 0.0);
  EXPECT_GT(j["ops_per_s"].get<double>(), 0.0);
  ASSERT_OK_AND_ASSIGN(auto fs, cluster_->Connect());
  ASSERT_OK_AND_ASSIGN(auto dirs, fs->List("/bench-scale/preload"));
  ASSERT_EQ(dirs.size(), 3u);
  uint64_t files = 0;
  for (const auto& d : dirs) {
    ASSERT_OK_AND_ASSIGN(auto entries, fs->List(d.path));
    files += entries.size();
  }
  EXPECT_EQ(files, 2500u);

  // In process, the restart that loads them again is timed too.
  json in = RunBench({"nn", "--in-process", "--op", "listing", "--threads", "2", "--ops", "50", "--preload", "1200"});
  EXPECT_EQ(in["door"], "in-process");
  EXPECT_EQ(in["preload_files"], 1200);
  EXPECT_TRUE(in.contains("restart_seconds")) << in.dump();
  EXPECT_GT(in["ops_per_s"].get<double>(), 0.0);
}

TEST(BenchUsageTest, UsageErrorsExitTwo) {
  auto r = cairn::testing::RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn-bench", "nn", "--op", "fly"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_NE(r->out.find("fly"), std::string::npos);
  r = cairn::testing::RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn-bench", "dfsio", "--size", "1MiB"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 2);
}

}  // namespace
}  // namespace cairn::client
