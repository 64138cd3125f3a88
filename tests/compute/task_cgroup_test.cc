// Task cgroups on this machine's real cgroup file system: a task past its memory limit is
// killed by the kernel and the kill is counted, the CPU quota is written, a kill reaches
// processes that left the task's process group, and the directories go away afterwards.
#include "compute/executor/task_cgroup.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "compute/executor/task_process.h"
#include "compute/local_files.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

class TaskCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cgroup");
    auto host = TaskCgroupHost::Detect();
    // Said plainly rather than passed silently: without cgroups there is nothing to test.
    if (!host.ok()) GTEST_SKIP() << "no usable cgroups on this machine: " << host.status().ToString();
    host_ = std::move(*host);
  }
  void TearDown() override { testing::RemoveTree(dir_); }
  TaskProcessOptions Shell(const std::string& script, const TaskCgroup& cg) {
    TaskProcessOptions o;
    o.binary = "/bin/sh";
    o.args = {"-c", script};
    o.work_dir = dir_;
    o.stdout_path = dir_ + "/stdout.log";
    o.stderr_path = dir_ + "/stderr.log";
    o.cgroup_procs_files = cg.procs_files();
    return o;
  }
  int WaitExit(TaskProcess& p) {
    std::optional<int> code;
    EXPECT_OK(testing::WaitFor(
        [&] {
          auto r = p.Poll();
          if (r.ok() && r->has_value()) code = **r;
          return code.has_value();
        },
        30000, "task process exits"));
    return code.value_or(-1);
  }
  std::string dir_;
  std::unique_ptr<TaskCgroupHost> host_;
};

TEST_F(TaskCgroupTest, AnAllocationPastTheLimitIsKilledAndCounted) {
  ASSERT_OK_AND_ASSIGN(TaskCgroup cg, host_->Create("oom-test", CgroupLimits{64ull << 20, 1}));
  auto o = Shell("exec /usr/bin/python3 -c 'x = bytearray(400 * 1024 * 1024); print(\"survived\")'", cg);
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  EXPECT_EQ(WaitExit(p), 128 + SIGKILL);
  EXPECT_GE(cg.OomKills(), 1u);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadWholeFile(dir_ + "/stdout.log"));
  EXPECT_EQ(out.find("survived"), std::string::npos);
  // Within the limit the same process is fine, and nothing is counted.
  ASSERT_OK_AND_ASSIGN(TaskCgroup roomy, host_->Create("roomy-test", CgroupLimits{1ull << 30, 1}));
  ASSERT_OK_AND_ASSIGN(TaskProcess q, TaskProcess::Launch(Shell("exec /usr/bin/python3 -c 'x = bytearray(100 * 1024 * 1024)'", roomy)));
  EXPECT_EQ(WaitExit(q), 0);
  EXPECT_EQ(roomy.OomKills(), 0u);
}

TEST_F(TaskCgroupTest, TheChildIsInsideAndTheCpuQuotaIsSet) {
  ASSERT_OK_AND_ASSIGN(TaskCgroup cg, host_->Create("cpu-test", CgroupLimits{0, 2}));
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(Shell("cat /proc/self/cgroup", cg)));
  EXPECT_EQ(WaitExit(p), 0);
  ASSERT_OK_AND_ASSIGN(std::string own, ReadWholeFile(dir_ + "/stdout.log"));
  EXPECT_NE(own.find("/cpu-test"), std::string::npos) << own;
  const std::string procs = cg.procs_files().back();  // v2: the one dir; v1: the cpu hierarchy
  const std::string cpu_dir = procs.substr(0, procs.rfind('/'));
  if (host_->kind() == TaskCgroupHost::Kind::kV2) {
    EXPECT_EQ(*ReadWholeFile(cpu_dir + "/cpu.max"), "200000 100000\n");
  } else {
    EXPECT_EQ(*ReadWholeFile(cpu_dir + "/cpu.cfs_quota_us"), "200000\n");
  }
}

TEST_F(TaskCgroupTest, KillAllReachesProcessesThatLeftTheGroupAndRemoveCleansUp) {
  ASSERT_OK_AND_ASSIGN(TaskCgroup cg, host_->Create("escape-test", CgroupLimits{256ull << 20, 1}));
  // setsid: a new session and process group, which Kill(-pgid) would miss. The sleeper
  // writes its pid itself, after setsid ran, so the kill below cannot catch it earlier.
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(Shell(
                                          "setsid sh -c 'echo $$ > escaped.pid; exec sleep 300' & wait", cg)));
  ASSERT_EVENTUALLY(ReadWholeFile(dir_ + "/escaped.pid").ok() && !ReadWholeFile(dir_ + "/escaped.pid")->empty(), 10000);
  // (setsid forks when it is a group leader; the sleeper is whatever is left in the cgroup.)
  p.Kill();
  EXPECT_EQ(WaitExit(p), 128 + SIGKILL);
  const std::string procs_file = cg.procs_files()[0];
  ASSERT_OK_AND_ASSIGN(std::string left, ReadWholeFile(procs_file));
  ASSERT_FALSE(left.empty()) << "the escaped sleeper should still be inside";
  const pid_t sleeper = std::stoi(left);
  EXPECT_OK(cg.Remove());
  ASSERT_EVENTUALLY(::kill(sleeper, 0) != 0, 10000);
  EXPECT_NE(::access(procs_file.c_str(), F_OK), 0) << "the cgroup directory is gone";
}

}  // namespace
}  // namespace cairn::compute
