// cairn-bench fuse with a tiny size: it mounts, writes and reads through the mount and
// directly, and prints one JSON line per direction with both figures and their ratio.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <sstream>

#include "client/fuse/mount_process.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace cairn::fuse {
namespace {

TEST(FuseBenchTest, WriteAndReadThroughTheMountAgainstLibcairn) {
  Status can = CheckCanMount();
  if (!can.ok()) GTEST_SKIP() << "cairn-bench fuse needs /dev/fuse and root; skipping: " << can.ToString();
  auto cluster = cairn::testing::MiniCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto r = cairn::testing::RunCommand({std::string(CAIRN_BIN_DIR) + "/cairn-bench", "fuse", "--size", "3MiB", "--runs",
                                       "2", "--namenode", (*cluster)->client_namenode_address(), "--local-dir",
                                       (*cluster)->dir()},
                                      {}, "", /*merge_stderr=*/false);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->exit_code, 0) << r->out;
  std::istringstream lines(r->out);
  std::string line;
  std::vector<std::string> ops;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["bench"], "fuse");
    EXPECT_EQ(j["bytes"], 3 << 20);
    EXPECT_EQ(j["runs"], 2);
    EXPECT_GT(j["mib_per_s"].get<double>(), 0.0);
    EXPECT_GT(j["baseline_mib_per_s"].get<double>(), 0.0);
    EXPECT_NEAR(j["ratio"].get<double>(), j["mib_per_s"].get<double>() / j["baseline_mib_per_s"].get<double>(), 1e-9);
    ops.push_back(j["op"]);
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"write", "read"}));
  // It unmounted and cleaned up after itself.
  for (const auto& entry : std::filesystem::directory_iterator((*cluster)->dir())) {
    EXPECT_EQ(entry.path().filename().string().rfind("cairn-bench-fuse-", 0), std::string::npos) << entry.path();
  }
  auto left = (*cluster)->Cli({"ls", "/benchmarks/fuse"});
  ASSERT_TRUE(left.ok());
  EXPECT_NE(left->out.find("Found 0 items"), std::string::npos) << left->out;
}

}  // namespace
}  // namespace cairn::fuse
