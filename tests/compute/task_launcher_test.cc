// The setuid task launcher (compute/launcher/), installed as it would be (root-owned,
// setuid, group-executable, with its root-owned config) and called from an unprivileged
// account as a datanode would call it: tasks start as their account with the work dir
// handed over, refusals (root, system and caller-group accounts, work dirs outside the
// roots or reached through a symlink, an editable config, a stranger calling) reach the
// caller as clear errors, kills and deletes work where the caller alone could not.
// These tests need root (to install a setuid binary and to create accounts).
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include <gtest/gtest.h>

#include "compute/executor/task_launcher_client.h"
#include "compute/executor/task_process.h"
#include "compute/launcher/launcher_commands.h"
#include "compute/local_files.h"
#include "tests/support/mini_cluster.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

constexpr const char* kCaller = "cairn-lt-dn";        // the datanode's account (a system account)
constexpr const char* kTaskUser = "alice";
constexpr const char* kGroupMember = "cairn-lt-peer";  // a normal account inside the caller group

std::string ReadOr(const std::string& path) {
  auto r = ReadWholeFile(path);
  return r.ok() ? *r : "";
}

bool FileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Status EnsureAccount(const std::vector<std::string>& useradd, const std::string& name) {
  if (::getpwnam(name.c_str()) != nullptr) return Status::OK();
  ASSIGN_OR_RETURN(testing::CommandResult r, testing::RunCommand(useradd));
  if (r.exit_code != 0 && ::getpwnam(name.c_str()) == nullptr) return Internal("useradd {}: {}", name, r.out);
  return Status::OK();
}

class TaskLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "installs a setuid binary and creates accounts: run as root";
    ASSERT_OK(EnsureAccount({"useradd", "-r", "-U", "-M", "-s", "/usr/sbin/nologin", kCaller}, kCaller));
    ASSERT_OK(testing::EnsureLocalAccount(kTaskUser));
    ASSERT_OK(EnsureAccount({"useradd", "-M", "-G", kCaller, "-s", "/usr/sbin/nologin", kGroupMember}, kGroupMember));
    passwd* pw = ::getpwnam(kCaller);
    caller_uid_ = pw->pw_uid;
    caller_gid_ = pw->pw_gid;
    root_ = testing::MakeTempDir("launcher");
    ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
    for (const char* d : {"/work", "/elsewhere"}) ASSERT_OK(MakeDirectories(root_ + d));
    ASSERT_OK_AND_ASSIGN(launcher_, testing::InstallTaskLauncher(root_, kCaller, root_ + "/work"));
    config_ = root_ + "/etc/cairn/task-launcher.cfg";
    work_ = root_ + "/work";
    ASSERT_EQ(::chown(work_.c_str(), caller_uid_, caller_gid_), 0);
  }
  void TearDown() override { testing::RemoveTree(root_); }

  void Install(mode_t mode) {
    ASSERT_EQ(::chown(launcher_.c_str(), 0, caller_gid_), 0);
    ASSERT_EQ(::chmod(launcher_.c_str(), mode), 0);
  }

  // Runs body in a child process as `account` (groups, gid, uid); returns its exit code.
  int As(const std::string& account, const std::function<int()>& body) {
    passwd* pw = ::getpwnam(account.c_str());
    if (pw == nullptr) return -1;
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    pid_t pid = ::fork();
    if (pid == 0) {
      if (::initgroups(account.c_str(), gid) != 0 || ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0)
        ::_exit(90);
      ::_exit(body());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
  }

  // A work dir the caller made, holding a file the caller wrote, as the executor leaves it.
  std::string CallerWorkDir(const std::string& name) {
    const std::string dir = work_ + "/" + name;
    EXPECT_OK(MakeDirectories(dir));
    EXPECT_OK(WriteWholeFile(dir + "/task.pb", "the task's description", 0600, FileWrite::kCreateNew));
    EXPECT_EQ(::chown(dir.c_str(), caller_uid_, caller_gid_), 0);
    EXPECT_EQ(::chmod(dir.c_str(), 0700), 0);
    EXPECT_EQ(::chown((dir + "/task.pb").c_str(), caller_uid_, caller_gid_), 0);
    return dir;
  }

  TaskProcessOptions Shell(const std::string& dir, const std::string& user, const std::string& script) {
    TaskProcessOptions o;
    o.binary = "/bin/sh";
    o.args = {"-c", script};
    o.work_dir = dir;
    o.stdout_path = dir + "/stdout.log";
    o.stderr_path = dir + "/stderr.log";
    o.launcher = launcher_;
    TaskUserPolicy policy;
    policy.allowed_system_users = {"root"};  // the executor's own policy is not what is tested
    auto resolved = ResolveTaskUser(user, policy);
    EXPECT_OK(resolved.status());
    if (resolved.ok()) o.run_as = *resolved;
    return o;
  }

  // In the caller's child: launches and waits; writes the status message to `message`.
  static int LaunchAndWait(const TaskProcessOptions& o, const std::string& message_file) {
    auto p = TaskProcess::Launch(o);
    if (!p.ok()) {
      (void)WriteWholeFile(message_file, p.status().ToString(), 0644, FileWrite::kReplaceAtomically);
      return 50;
    }
    for (int i = 0; i < 2000; ++i) {
      auto code = p->Poll();
      if (code.ok() && code->has_value()) return **code;
      ::usleep(10000);
    }
    return 60;
  }

  std::string root_, launcher_, config_, work_;
  uid_t caller_uid_ = 0;
  gid_t caller_gid_ = 0;
};

TEST_F(TaskLauncherTest, StartsTheTaskAsItsAccountFromAnUnprivilegedCaller) {
  const std::string dir = CallerWorkDir("attempt");
  auto o = Shell(dir, kTaskUser, "id -un; cat task.pb; echo written > out");
  const std::string message = work_ + "/message";  // the caller can write there
  ASSERT_EQ(As(kCaller, [&] { return LaunchAndWait(o, message); }), 0) << ReadOr(message);
  ASSERT_OK_AND_ASSIGN(std::string out, ReadWholeFile(dir + "/stdout.log"));
  EXPECT_EQ(out, "alice\nthe task's description");
  struct stat st{};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::getpwnam(kTaskUser)->pw_uid);
  EXPECT_EQ(st.st_gid, caller_gid_);
  EXPECT_EQ(st.st_mode & 07777, 02770u);
  // The caller (the datanode) reads what the task wrote through the group.
  EXPECT_EQ(As(kCaller, [&] { return ReadOr(dir + "/out") == "written\n" ? 0 : 1; }), 0);
  // Another user's task cannot.
  EXPECT_EQ(As("nobody", [&] { return ReadWholeFile(dir + "/out").ok() ? 1 : 0; }),
            0);
}

TEST_F(TaskLauncherTest, RefusesRootAndCallerGroupAccountsWithAClearError) {
  const std::string message = work_ + "/message";  // the caller can write there
  for (const char* user : {"root", kGroupMember}) {
    const std::string dir = CallerWorkDir(std::string("refused-") + user);
    auto o = Shell(dir, user, "echo ran > ran");
    EXPECT_EQ(As(kCaller, [&] { return LaunchAndWait(o, message); }), 50) << user;
    ASSERT_OK_AND_ASSIGN(std::string text, ReadWholeFile(message));
    EXPECT_NE(text.find("permission_denied"), std::string::npos) << text;
    EXPECT_NE(text.find(std::string(user) == "root" ? "may not run as root" : "may run the task launcher"),
              std::string::npos)
        << text;
    EXPECT_FALSE(FileExists(dir + "/ran"));
    struct stat st{};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, caller_uid_) << "a refused launch hands nothing over";
  }
}

TEST_F(TaskLauncherTest, RefusesWorkDirsOutsideTheRootsOrThroughASymlink) {
  const std::string message = work_ + "/message";  // the caller can write there
  // /elsewhere is the caller's too, but not under a work root.
  const std::string outside = root_ + "/elsewhere/attempt";
  ASSERT_OK(MakeDirectories(outside));
  ASSERT_EQ(::chown(outside.c_str(), caller_uid_, caller_gid_), 0);
  ASSERT_EQ(::symlink((root_ + "/elsewhere").c_str(), (work_ + "/link").c_str()), 0);
  for (const std::string& dir : {outside, work_ + "/link/attempt", work_ + "/../elsewhere/attempt"}) {
    auto o = Shell(outside, kTaskUser, "echo ran > ran");
    o.work_dir = dir;
    EXPECT_EQ(As(kCaller, [&] { return LaunchAndWait(o, message); }), 50) << dir;
    ASSERT_OK_AND_ASSIGN(std::string text, ReadWholeFile(message));
    EXPECT_TRUE(text.find("not a plain path under a work root") != std::string::npos ||
                text.find("is a symlink") != std::string::npos)
        << text;
  }
  struct stat st{};
  ASSERT_EQ(::stat(outside.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, caller_uid_);
  EXPECT_FALSE(FileExists(outside + "/ran"));
}

TEST_F(TaskLauncherTest, RefusesAnEditableConfigAndStrangers) {
  EXPECT_OK(RunTaskLauncher(launcher_, {"check"}));
  ASSERT_EQ(::chmod(config_.c_str(), 0666), 0);
  Status st = RunTaskLauncher(launcher_, {"check"});
  EXPECT_NE(st.message().find("must not be writable by group or others"), std::string::npos) << st.ToString();
  ASSERT_EQ(::chmod(config_.c_str(), 0644), 0);
  // A group-writable install dir would let the group swap the config.
  ASSERT_EQ(::chmod((root_ + "/etc").c_str(), 0775), 0);
  EXPECT_FALSE(RunTaskLauncher(launcher_, {"check"}).ok());
  ASSERT_EQ(::chmod((root_ + "/etc").c_str(), 0755), 0);
  // Executable by anyone, the launcher still refuses callers outside its group.
  Install(04755);
  EXPECT_EQ(As(kTaskUser,
               [&] {
                 Status s = RunTaskLauncher(launcher_, {"check"});
                 return s.message().find("is not in the group") != std::string::npos ? 0 : 1;
               }),
            0);
  EXPECT_EQ(As(kCaller, [&] { return RunTaskLauncher(launcher_, {"check"}).ok() ? 0 : 1; }), 0);
}

TEST_F(TaskLauncherTest, KillsTheTaskAsItsAccount) {
  const std::string dir = CallerWorkDir("sleeper");
  auto o = Shell(dir, kTaskUser, "sleep 300 & echo $! > child.pid; wait");
  const int code = As(kCaller, [&] {
    auto p = TaskProcess::Launch(o);
    if (!p.ok()) return 50;
    for (int i = 0; i < 500 && !FileExists(dir + "/child.pid"); ++i) ::usleep(10000);
    // The caller itself may not signal another account's process...
    if (::kill(p->pid(), SIGKILL) == 0 || errno != EPERM) return 51;
    p->Kill();  // ...the launcher, as that account, does.
    for (int i = 0; i < 1000; ++i) {
      auto r = p->Poll();
      if (r.ok() && r->has_value()) return **r == 137 ? 0 : 52;
      ::usleep(10000);
    }
    return 53;
  });
  EXPECT_EQ(code, 0);
  ASSERT_OK_AND_ASSIGN(std::string pid_text, ReadWholeFile(dir + "/child.pid"));
  const pid_t child = static_cast<pid_t>(std::stol(pid_text));
  ASSERT_OK(testing::WaitFor([&] { return ::kill(child, 0) != 0; }, 10000, "the task's own child dies too"));
}

TEST_F(TaskLauncherTest, DeletesTaskFilesWithoutFollowingSymlinks) {
  const passwd* alice = ::getpwnam(kTaskUser);
  const std::string job = work_ + "/job";
  ASSERT_OK(MakeDirectories(job + "/private"));
  ASSERT_OK(WriteWholeFile(job + "/private/data", "x", 0600, FileWrite::kCreateNew));
  ASSERT_OK(WriteWholeFile(root_ + "/elsewhere/keep", "keep", 0644, FileWrite::kCreateNew));
  ASSERT_EQ(::symlink((root_ + "/elsewhere").c_str(), (job + "/private/escape").c_str()), 0);
  for (const std::string& p : {job, job + "/private", job + "/private/data"})
    ASSERT_EQ(::chown(p.c_str(), alice->pw_uid, alice->pw_gid), 0);
  ASSERT_EQ(::chmod((job + "/private").c_str(), 0700), 0);
  EXPECT_EQ(As(kCaller,
               [&] {
                 if (RemoveTree(job).ok()) return 1;  // the caller alone cannot
                 return RunTaskLauncher(launcher_, DeleteArguments(job)).ok() ? 0 : 2;
               }),
            0);
  EXPECT_FALSE(FileExists(job));
  EXPECT_EQ(ReadOr(root_ + "/elsewhere/keep"), "keep");
  // Nothing outside the work roots, and never the root itself.
  EXPECT_FALSE(RunTaskLauncher(launcher_, DeleteArguments(root_ + "/elsewhere")).ok());
  EXPECT_FALSE(RunTaskLauncher(launcher_, DeleteArguments(work_)).ok());
  EXPECT_TRUE(FileExists(root_ + "/elsewhere/keep"));
}

}  // namespace
}  // namespace cairn::compute
