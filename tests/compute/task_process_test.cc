// Task processes: exit codes, kills of the whole process group, the memory limit, a clear
// error for a binary that cannot start, and confinement: the task account, a built
// environment, handed-over descriptors instead of paths.
#include "compute/executor/task_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

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

TEST_F(TaskProcessTest, TheEnvironmentIsBuiltNotInherited) {
  ::setenv("CAIRN_TEST_DAEMON_SECRET", "keytab-password", 1);
  ::setenv("KRB5CCNAME", "FILE:/tmp/krb5cc_datanode", 1);
  auto o = Shell("env");
  o.extra_env = {"CAIRN_GPU_FRACTION=0.5", "PATH=/usr/bin:/bin"};
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  EXPECT_EQ(WaitExit(p), 0);
  ::unsetenv("CAIRN_TEST_DAEMON_SECRET");
  ::unsetenv("KRB5CCNAME");
  ASSERT_OK_AND_ASSIGN(std::string env, ReadWholeFile(dir_ + "/stdout.log"));
  EXPECT_EQ(env.find("keytab-password"), std::string::npos) << env;
  EXPECT_EQ(env.find("KRB5CCNAME"), std::string::npos) << env;
  EXPECT_NE(env.find("CAIRN_GPU_FRACTION=0.5\n"), std::string::npos) << env;
  EXPECT_NE(env.find("HOME=" + dir_ + "\n"), std::string::npos) << env;
  EXPECT_NE(env.find("PATH=/usr/bin:/bin\n"), std::string::npos) << env;  // extra_env wins
}

TEST(TaskUserTest, RootAndSystemAccountsAreRefusedUnlessAllowed) {
  TaskUserPolicy policy;
  auto root = ResolveTaskUser("root", policy);
  EXPECT_EQ(root.status().code(), ErrorCode::kPermissionDenied) << root.status().ToString();
  auto daemon = ResolveTaskUser("daemon", policy);  // uid 1 on Debian
  EXPECT_EQ(daemon.status().code(), ErrorCode::kPermissionDenied) << daemon.status().ToString();
  EXPECT_NE(daemon.status().message().find("--executor_min_task_uid"), std::string::npos);
  policy.allowed_system_users = {"daemon"};
  ASSERT_OK_AND_ASSIGN(TaskUser d, ResolveTaskUser("daemon", policy));
  EXPECT_EQ(d.name, "daemon");
  EXPECT_EQ(ResolveTaskUser("no-such-account-here", policy).status().code(), ErrorCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(TaskUser nobody, ResolveTaskUser("nobody", TaskUserPolicy{}));
  EXPECT_GE(nobody.uid, 1000u);
}

// These machines run as root: the tests switch to `nobody`, as the executor does by default.
class ConfinedTaskProcessTest : public TaskProcessTest {
 protected:
  void SetUp() override {
    TaskProcessTest::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "switching task users needs root";
    auto user = ResolveTaskUser("nobody", TaskUserPolicy{});
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    user_ = *user;
    ::chmod(dir_.c_str(), 0755);
    work_ = dir_ + "/work";
    ASSERT_EQ(::mkdir(work_.c_str(), 0755), 0);
    ASSERT_EQ(::chown(work_.c_str(), user_.uid, user_.gid), 0);
    // What stands for the datanode's block files: root's, in a directory only root can enter.
    secret_dir_ = dir_ + "/current";
    ASSERT_EQ(::mkdir(secret_dir_.c_str(), 0700), 0);
    ASSERT_OK(testing::WriteLocalFile(secret_dir_ + "/blk_1", "block bytes\n"));
  }
  TaskProcessOptions Confined(const std::string& script) {
    auto o = Shell(script);
    o.work_dir = work_;
    o.run_as = user_;
    return o;
  }
  TaskUser user_;
  std::string work_, secret_dir_;
};

TEST_F(ConfinedTaskProcessTest, RunsAsTheTaskAccountAndCannotOpenTheDatanodesFiles) {
  auto o = Confined("id -un; id -u; echo made > mine; cat " + secret_dir_ + "/blk_1 || echo refused; "
                    "cat /proc/$PPID/environ > /dev/null 2>&1; exit 0");
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  EXPECT_EQ(WaitExit(p), 0);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadWholeFile(dir_ + "/stdout.log"));
  EXPECT_EQ(out, "nobody\n" + std::to_string(user_.uid) + "\nrefused\n");
  EXPECT_NE(FileTail(dir_ + "/stderr.log", 4096).find("Permission denied"), std::string::npos);
  struct stat st{};
  ASSERT_EQ(::stat((work_ + "/mine").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, user_.uid);
}

TEST_F(ConfinedTaskProcessTest, HandedOverDescriptorsAreTheOnlyWayToTheBlocks) {
  int fd = ::open((secret_dir_ + "/blk_1").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  // A descriptor the parent did not hand over must not reach the child either.
  int leaked = ::open((secret_dir_ + "/blk_1").c_str(), O_RDONLY);
  ASSERT_GE(leaked, 0);
  auto o = Confined("cat <&3; ls /proc/self/fd | sort -n | tr '\\n' ' '");
  o.inherited_fds = {fd};
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  ::close(fd);
  ::close(leaked);
  EXPECT_EQ(WaitExit(p), 0);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadWholeFile(dir_ + "/stdout.log"));
  // 0-2, the block (3), and the one ls opens for /proc/self/fd.
  EXPECT_EQ(out, "block bytes\n0 1 2 3 4 ");
}

TEST_F(ConfinedTaskProcessTest, AWorkDirTheAccountCannotEnterIsAClearError) {
  auto o = Confined("true");
  o.work_dir = secret_dir_;
  auto p = TaskProcess::Launch(o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("entering its work dir"), std::string::npos) << p.status().ToString();
  EXPECT_NE(p.status().message().find("as nobody"), std::string::npos) << p.status().ToString();
  EXPECT_NE(p.status().message().find("Permission denied"), std::string::npos) << p.status().ToString();
}

TEST_F(ConfinedTaskProcessTest, NoSetuidProgramGivesRootBack) {
  // no_new_privs: su, sudo and any setuid binary run with the task account's ids.
  auto o = Confined("su -c 'id -u' root </dev/null; id -u");
  ASSERT_OK_AND_ASSIGN(TaskProcess p, TaskProcess::Launch(o));
  WaitExit(p);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadWholeFile(dir_ + "/stdout.log"));
  EXPECT_EQ(out.find("0\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::to_string(user_.uid)), std::string::npos) << out;
}

}  // namespace
}  // namespace cairn::compute
