// Task processes: exit codes, kills of the whole process group, the memory limit, and a
// clear error for a binary that cannot start.
#include "compute/executor/task_process.h"

#include <gtest/gtest.h>

#include "compute/local_files.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

class TaskProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("taskproc"); }
  void TearDown() override { testing::RemoveTree(dir_); }
  TaskProcessOptions Shell(const std::string& script) {
    TaskProcessOptions o;
    o.binary = "/bin/sh";
    o.args = {"-c", script};
    o.work_dir = dir_;
    o.stdout_path = dir_ + "/stdout.log";
    o.stderr_path = dir_ + "/stderr.log";
    return o;
  }
  int WaitExit(TaskProcess& p) {
    std::optional<int> code;
    Status st = testing::WaitFor(
        [&] {
          auto r = p.Poll();
          if (r.ok() && r->has_value()) code = **r;
          return code.has_value();
        },
        20000, "task process exits");
    EXPECT_OK(st);
    return code.value_or(-1);
  }
  std::string dir_;
};

TEST_F(TaskProcessTest, ExitCodeWorkingDirAndLogs) {
  auto o = Shell("pwd; echo oops >&2; exit 3");
  o.extra_env = {"CAIRN_X=1"};
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  EXPECT_EQ(WaitExit(p), 3);
  EXPECT_EQ(FileTail(dir_ + "/stderr.log", 100), "oops\n");
  ASSERT_OK_AND_ASSIGN(std::string out, ReadWholeFile(dir_ + "/stdout.log"));
  EXPECT_NE(out.find(dir_.substr(dir_.rfind('/'))), std::string::npos);
}

TEST_F(TaskProcessTest, KillReachesChildrenOfTheTask) {
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(Shell("sleep 300 & echo $! > child.pid; wait")));
  ASSERT_EVENTUALLY(ReadWholeFile(dir_ + "/child.pid").ok() && !ReadWholeFile(dir_ + "/child.pid")->empty(), 10000);
  int child = std::stoi(*ReadWholeFile(dir_ + "/child.pid"));
  p.Kill();
  EXPECT_EQ(WaitExit(p), 128 + 9);
  ASSERT_EVENTUALLY(::kill(child, 0) != 0, 10000);
}

TEST_F(TaskProcessTest, MemoryLimitStopsABigAllocation) {
  auto o = Shell("python3 -c 'x = bytearray(600 * 1024 * 1024); print(len(x))'");
  o.memory_limit_bytes = 200ull << 20;
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  EXPECT_NE(WaitExit(p), 0);
  EXPECT_NE(FileTail(dir_ + "/stderr.log", 4096).find("MemoryError"), std::string::npos);
}

TEST_F(TaskProcessTest, MissingBinaryIsAClearError) {
  TaskProcessOptions o = Shell("");
  o.binary = dir_ + "/no-such-binary";
  auto p = TaskProcess::Launch(o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("cannot start"), std::string::npos) << p.status().ToString();
  EXPECT_NE(p.status().message().find("No such file"), std::string::npos) << p.status().ToString();
}

}  // namespace
}  // namespace cairn::compute
