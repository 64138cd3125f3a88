#include "compute/executor/task_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <spdlog/spdlog.h>

#include "compute/executor/task_launcher_client.h"
#include "compute/launcher/launch_report.h"
#include "compute/launcher/launcher_commands.h"

extern char** environ;

namespace cairn::compute {

TaskProcess::~TaskProcess() {
  if (pid_ > 0) {
    Kill();
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

TaskProcess::TaskProcess(TaskProcess&& other) noexcept
    : pid_(other.pid_), launcher_(std::move(other.launcher_)), user_(std::move(other.user_)) {
  other.pid_ = -1;
}

TaskProcess& TaskProcess::operator=(TaskProcess&& other) noexcept {
  if (this != &other) {
    this->~TaskProcess();
    pid_ = other.pid_;
    launcher_ = std::move(other.launcher_);
    user_ = std::move(other.user_);
    other.pid_ = -1;
  }
  return *this;
}

namespace {

const char* Describe(LaunchStep step) {
  switch (step) {
    case LaunchStep::kJoinCgroup: return "joining its cgroup";
    case LaunchStep::kLimitMemory: return "setting its memory limit";
    case LaunchStep::kRedirect: return "redirecting its output";
    case LaunchStep::kHandOver: return "handing over its descriptors";
    case LaunchStep::kSwitchUser: return "switching to the task user";
    case LaunchStep::kWorkDir: return "entering its work dir";
    case LaunchStep::kExec: return "exec";
    case LaunchStep::kLauncher: return "the task launcher";
  }
  return "starting";
}

bool Allowed(std::string_view name) {
  for (std::string_view keep : {"PATH", "LANG", "LANGUAGE", "TZ", "CAIRN_TASK_LOG_LEVEL", "CAIRN_ML_THREADS"})
    if (name == keep) return true;
  return name.rfind("LC_", 0) == 0;
}

}  // namespace

std::vector<std::string> TaskEnvironment(const TaskProcessOptions& options) {
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> env{"HOME=" + options.work_dir, "TMPDIR=" + options.work_dir};
  if (options.run_as) {
    env.push_back("USER=" + options.run_as->name);
    env.push_back("LOGNAME=" + options.run_as->name);
  }
  for (char** e = environ; *e != nullptr; ++e)
    if (Allowed(name_of(*e))) env.emplace_back(*e);
  // extra_env replaces what came before under the same names.
  std::vector<std::string> out;
  for (const auto& entry : env) {
    bool replaced = false;
    for (const auto& x : options.extra_env) replaced |= name_of(x) == name_of(entry);
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), options.extra_env.begin(), options.extra_env.end());
  return out;
}

Result<TaskProcess> TaskProcess::Launch(const TaskProcessOptions& options) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe
  // calls are allowed (the datanode has many threads).
  const bool through_launcher = options.run_as.has_value() && !options.launcher.empty();
  const int handed_over = static_cast<int>(options.inherited_fds.size());
  // With a launcher the child keeps the report pipe open across exec, as descriptor
  // 3 + handed_over, for the launcher's refusals.
  const int launcher_report_fd = 3 + handed_over;
  std::vector<std::string> argv_storage;
  if (through_launcher) {
    argv_storage.push_back(options.launcher);
    for (auto& a : LaunchArguments(options.run_as->name, options.work_dir, handed_over, launcher_report_fd))
      argv_storage.push_back(std::move(a));
  }
  argv_storage.push_back(options.binary);
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = TaskEnvironment(options);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<const char*> cgroup_files;
  for (const auto& f : options.cgroup_procs_files) cgroup_files.push_back(f.c_str());
  const bool switch_user = options.run_as.has_value() && !through_launcher;
  const uid_t uid = switch_user ? options.run_as->uid : 0;
  const gid_t gid = switch_user ? options.run_as->gid : 0;
  const std::vector<gid_t> groups = switch_user ? options.run_as->groups : std::vector<gid_t>{};
  if (switch_user && ::geteuid() != 0)
    return PermissionDenied(
        "cannot run a task as {}: switching users needs root or a task launcher (--executor_task_launcher), and "
        "this process runs as uid {}",
        options.run_as->name, ::geteuid());
  // Temporary descriptors in the child go above every target (3 .. 3 + handed_over).
  const int high_fd = 3 + handed_over + 8;

  int out_fd = ::open(options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) return ErrnoError(errno, "create " + options.stdout_path);
  int err_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    int e = errno;
    ::close(out_fd);
    return ErrnoError(e, "create " + options.stderr_path);
  }
  // The child reports a failed step and its errno through this pipe; a successful exec closes it.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(out_fd);
    ::close(err_fd);
    return ErrnoError(e, "pipe");
  }
  rlimit mem{};
  bool limit_memory = options.memory_limit_bytes > 0;
  mem.rlim_cur = mem.rlim_max = static_cast<rlim_t>(options.memory_limit_bytes);
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {out_fd, err_fd, report[0], report[1]}) ::close(fd);
    return ErrnoError(e, "fork");
  }
  if (pid == 0) {
    LaunchReport failure{LaunchStep::kExec, 0};
    auto fail = [&](LaunchStep step) {
      failure = {step, errno};
      return false;
    };
    int report_fd = ::fcntl(report[1], F_DUPFD_CLOEXEC, high_fd);
    if (report_fd < 0) ::_exit(127);
    auto run = [&]() -> bool {
      ::setpgid(0, 0);
      for (const char* file : cgroup_files) {
        int fd = ::open(file, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return fail(LaunchStep::kJoinCgroup);
        bool joined = ::write(fd, "0", 1) == 1;
        if (!joined) fail(LaunchStep::kJoinCgroup);
        ::close(fd);
        if (!joined) return false;
      }
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      if (limit_memory && ::setrlimit(RLIMIT_DATA, &mem) != 0) return fail(LaunchStep::kLimitMemory);
      // Descriptors: 0 /dev/null, 1 and 2 the logs, 3.. the handed-over ones, nothing else.
      int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      int out = ::fcntl(out_fd, F_DUPFD_CLOEXEC, high_fd);
      int err = ::fcntl(err_fd, F_DUPFD_CLOEXEC, high_fd);
      if (null_fd < 0 || out < 0 || err < 0) return fail(LaunchStep::kRedirect);
      int moved[64];
      if (handed_over > 64) {
        errno = EMFILE;
        return fail(LaunchStep::kHandOver);
      }
      for (int i = 0; i < handed_over; ++i) {
        moved[i] = ::fcntl(options.inherited_fds[static_cast<size_t>(i)], F_DUPFD_CLOEXEC, high_fd);
        if (moved[i] < 0) return fail(LaunchStep::kHandOver);
      }
      if (::dup2(null_fd, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) return fail(LaunchStep::kRedirect);
      for (int i = 0; i < handed_over; ++i)
        if (::dup2(moved[i], 3 + i) < 0) return fail(LaunchStep::kHandOver);
      if (through_launcher) {
        // dup2 leaves the copy open across exec, for the launcher's report.
        if (::dup2(report_fd, launcher_report_fd) < 0) return fail(LaunchStep::kRedirect);
        report_fd = launcher_report_fd;
      }
      // Everything else closes: the temporaries at exec (O_CLOEXEC), the rest now.
#ifdef SYS_close_range
      if (report_fd > 3 + handed_over) ::syscall(SYS_close_range, 3 + handed_over, report_fd - 1, 0);
      ::syscall(SYS_close_range, report_fd + 1, ~0U, 0);
#endif
      if (switch_user) {
        // Raw system calls: this child has one thread, and glibc's wrappers would try to
        // signal the parent's other threads (which do not exist here).
        if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0 ||
            ::syscall(SYS_setresgid, gid, gid, gid) != 0 || ::syscall(SYS_setresuid, uid, uid, uid) != 0)
          return fail(LaunchStep::kSwitchUser);
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail(LaunchStep::kSwitchUser);
      }
      // After the id change: changing credentials clears the parent-death signal.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before the prctl
      // The launcher enters the work dir itself, once it is the task account's.
      if (!through_launcher && ::chdir(options.work_dir.c_str()) != 0) return fail(LaunchStep::kWorkDir);
      ::execve(argv[0], argv.data(), envp.data());
      return fail(LaunchStep::kExec);
    };
    run();
    ssize_t ignored = ::write(report_fd, &failure, sizeof failure);
    (void)ignored;
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(report[1]);
  LaunchReport child{};
  ssize_t n;
  do {
    n = ::read(report[0], &child, sizeof child);
  } while (n < 0 && errno == EINTR);
  std::string launcher_message;
  if (n == static_cast<ssize_t>(sizeof child) && child.step == LaunchStep::kLauncher) {
    char buf[256];
    ssize_t got;
    while (launcher_message.size() < kLaunchMessageMax &&
           ((got = ::read(report[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR)))
      if (got > 0) launcher_message.append(buf, static_cast<size_t>(got));
  }
  ::close(report[0]);
  TaskProcess process;
  process.pid_ = pid;
  if (through_launcher) {
    process.launcher_ = options.launcher;
    process.user_ = options.run_as->name;
  }
  if (n > 0) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    process.pid_ = -1;
    if (n != static_cast<ssize_t>(sizeof child)) return Internal("cannot start {}: a short report from the child", options.binary);
    if (child.step == LaunchStep::kLauncher)
      return Status(child.err > 0 && child.err <= static_cast<int>(ErrorCode::kInternal)
                        ? static_cast<ErrorCode>(child.err)
                        : ErrorCode::kInternal,
                    fmt::format("cannot start {} as {}: {}", options.binary,
                                                                  options.run_as->name, launcher_message));
    std::string what = "cannot start " + options.binary;
    if (child.step != LaunchStep::kExec) what += std::string(" (") + Describe(child.step) + ")";
    if (child.step == LaunchStep::kWorkDir || child.step == LaunchStep::kSwitchUser)
      what += switch_user ? " as " + options.run_as->name : "";
    if (child.step == LaunchStep::kWorkDir) what += " in " + options.work_dir;
    return ErrnoError(child.err, what);
  }
  return process;
}

Result<std::optional<int>> TaskProcess::Poll() {
  if (pid_ <= 0) return Internal("no task process");
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return std::optional<int>();
  if (r < 0) {
    if (errno == EINTR) return std::optional<int>();
    return ErrnoError(errno, "waitpid");
  }
  pid_ = -1;
  if (WIFEXITED(status)) return std::optional<int>(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::optional<int>(128 + WTERMSIG(status));
  return std::optional<int>(-1);
}

void TaskProcess::Kill() {
  if (pid_ <= 0) return;
  if (!launcher_.empty()) {
    // The task runs as another account: only the launcher, as that account, may signal it.
    Status st = RunTaskLauncher(launcher_, SignalArguments(user_, pid_, SIGKILL));
    if (!st.ok()) spdlog::warn("task process {}: the task launcher could not kill it: {}", pid_, st.ToString());
    return;
  }
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

}  // namespace cairn::compute
