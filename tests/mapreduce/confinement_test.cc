// Tasks are confined (compute/executor/task_confinement.h), seen from a job: a streaming
// mapper runs as the task account, not the datanode's, cannot open a block file by its
// path, and still reads its own split locally (through the descriptors the executor hands
// over); a task that allocates past its --memory is killed by its cgroup, and the job says so.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compute/executor/task_cgroup.h"
#include "tests/mapreduce/mr_test_util.h"

namespace cairn::testing {
namespace {

class ConfinementTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }
  void TearDown() override {
    cluster_.reset();
    if (!launcher_dir_.empty()) RemoveTree(launcher_dir_);
  }
  void Start(const std::vector<std::string>& datanode_flags) {
    if (::geteuid() != 0) GTEST_SKIP() << "the executor switches task users only when it runs as root";
    MiniClusterOptions o;
    o.datanode_flags = datanode_flags;
    o.datanodes = 1;
    o.replication = 1;
    o.block_size = 64 * 1024;
    o.jobmaster = true;
    ASSERT_OK_AND_ASSIGN(cluster_, MiniCluster::Start(o));
    ASSERT_OK_AND_ASSIGN(fs_, cluster_->Connect());
    text_ = GenerateText(40 * 1024, 3);
    ASSERT_OK(WriteFile(*fs_, "/in/text", text_));
  }
  Result<nlohmann::json> Submit(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"job", "submit", "--input", "/in/text", "--reducers", "0", "--wait", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSIGN_OR_RETURN(CommandResult r, cluster_->Cli(args));
    return JobReportJson(r.out);
  }
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::FileSystem> fs_;
  std::string text_;
  std::string launcher_dir_;
};

// The same job with the executor switching users through the setuid task launcher
// (--executor_task_launcher). The datanode here is still root; the launcher's caller group
// is a group the task account (nobody) is not in, as the launcher requires.
class LauncherConfinementTest : public ConfinementTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "installing a setuid launcher needs root";
    auto made = RunCommand({"groupadd", "-f", "-r", "cairn-lt-launch"});
    ASSERT_TRUE(made.ok() && made->exit_code == 0);
    launcher_dir_ = MakeTempDir("launcher-install");
    const char* tmp = std::getenv("TMPDIR");
    // The mini cluster's dirs (and so the executor's work dir) are made under this base.
    auto launcher = InstallTaskLauncher(launcher_dir_, "cairn-lt-launch", tmp != nullptr && *tmp ? tmp : "/tmp");
    ASSERT_OK(launcher.status());
    Start({"--executor_task_launcher=" + *launcher});
  }
};

TEST_F(ConfinementTest, AStreamingMapperRunsAsTheTaskAccountAndCannotReadBlockFiles) {
  const std::string block = FirstBlockFile(*cluster_);
  ASSERT_FALSE(block.empty());
  const std::string mapper = "sh -c 'wc -c | tr -d \" \"; id -un; cat " + block +
                             " > /dev/null 2>&1 && echo read-the-block || echo refused'";
  ASSERT_OK_AND_ASSIGN(nlohmann::json status, Submit({"--mapper", mapper, "--output", "/out/confined"}));
  ASSERT_EQ(status["state"], "SUCCEEDED") << status.dump();
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/confined"));
  // Streaming turns each line into a key with an empty value ("line\t").
  EXPECT_NE(out.find(std::to_string(text_.size())), std::string::npos) << out;  // the mapper saw its whole split
  EXPECT_NE(out.find("nobody"), std::string::npos) << out;
  EXPECT_NE(out.find("refused"), std::string::npos) << out;
  EXPECT_EQ(out.find("read-the-block"), std::string::npos) << out;
  EXPECT_EQ(out.find("root"), std::string::npos) << out;
  // The split was still read from the local replica, through the handed-over descriptors.
  EXPECT_EQ(status["counters"]["cairn"]["bytes_read_local"], text_.size()) << status["counters"].dump();
}

TEST_F(LauncherConfinementTest, AStreamingMapperRunsAsTheTaskAccountThroughTheLauncher) {
  const std::string block = FirstBlockFile(*cluster_);
  ASSERT_FALSE(block.empty());
  const std::string mapper = "sh -c 'wc -c | tr -d \" \"; id -un; stat -c %a%G .; cat " + block +
                             " > /dev/null 2>&1 && echo read-the-block || echo refused'";
  ASSERT_OK_AND_ASSIGN(nlohmann::json status, Submit({"--mapper", mapper, "--output", "/out/launched"}));
  ASSERT_EQ(status["state"], "SUCCEEDED") << status.dump();
  ASSERT_OK_AND_ASSIGN(std::string out, ReadOutput(*fs_, "/out/launched"));
  EXPECT_NE(out.find(std::to_string(text_.size())), std::string::npos) << out;
  EXPECT_NE(out.find("nobody"), std::string::npos) << out;
  // The launcher handed the work dir to the task account and its caller group.
  EXPECT_NE(out.find("2770cairn-lt-launch"), std::string::npos) << out;
  EXPECT_NE(out.find("refused"), std::string::npos) << out;
  EXPECT_EQ(out.find("read-the-block"), std::string::npos) << out;
  EXPECT_EQ(status["counters"]["cairn"]["bytes_read_local"], text_.size()) << status["counters"].dump();
}

TEST_F(ConfinementTest, ATaskPastItsMemoryIsKilledByItsCgroupAndTheJobSaysSo) {
  auto host = compute::TaskCgroupHost::Detect();
  if (!host.ok()) GTEST_SKIP() << "no usable cgroups on this machine: " << host.status().ToString();
  host->reset();
  const std::string mapper = "/usr/bin/python3 -c 'x = bytearray(600 * 1024 * 1024)'";
  ASSERT_OK_AND_ASSIGN(nlohmann::json status, Submit({"--mapper", mapper, "--output", "/out/hog", "--memory", "128MiB",
                                                      "--max-attempts", "1"}));
  EXPECT_EQ(status["state"], "FAILED") << status.dump();
  ASSERT_OK_AND_ASSIGN(CommandResult r, cluster_->Cli({"job", "status", status["job_id"], "--tasks", "--json"}));
  EXPECT_NE(r.out.find("killed by its cgroup for using more than its memory limit of 134217728 bytes"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace cairn::testing
