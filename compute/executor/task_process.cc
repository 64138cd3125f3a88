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

TaskProcess::TaskProcess(TaskProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }

TaskProcess& TaskProcess::operator=(TaskProcess&& other) noexcept {
  if (this != &other) {
    this->~TaskProcess();
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

Result<TaskProcess> TaskProcess::Launch(const TaskProcessOptions& options) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe
  // calls are allowed (the datanode has many threads).
  std::vector<std::string> argv_storage{options.binary};
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  // extra_env replaces the parent's variables of the same names.
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    bool replaced = false;
    for (const auto& x : options.extra_env) replaced |= name_of(x) == name_of(*e);
    if (!replaced) env_storage.emplace_back(*e);
  }
  env_storage.insert(env_storage.end(), options.extra_env.begin(), options.extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out_fd = ::open(options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) return ErrnoError(errno, "create " + options.stdout_path);
  int err_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    int e = errno;
    ::close(out_fd);
    return ErrnoError(e, "create " + options.stderr_path);
  }
  // The child reports an exec failure's errno through this pipe; a successful exec closes it.
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
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before the prctl
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int err = 0;
    if (limit_memory && ::setrlimit(RLIMIT_DATA, &mem) != 0) err = errno;
    if (err == 0 && ::chdir(options.work_dir.c_str()) != 0) err = errno;
    if (err == 0 && (::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0)) err = errno;
    if (err == 0) {
      int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0) ::dup2(null_fd, 0);
      // Close everything else but the report pipe (closed by exec through O_CLOEXEC).
#ifdef SYS_close_range
      if (report[1] > 3) ::syscall(SYS_close_range, 3, report[1] - 1, 0);
      ::syscall(SYS_close_range, report[1] + 1, ~0U, 0);
#endif
      ::execve(argv[0], argv.data(), envp.data());
      err = errno;
    }
    ssize_t ignored = ::write(report[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(report[1]);
  int child_err = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_err, sizeof child_err);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  TaskProcess process;
  process.pid_ = pid;
  if (n == static_cast<ssize_t>(sizeof child_err)) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    process.pid_ = -1;
    return ErrnoError(child_err, "cannot start " + options.binary);
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
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
  }
}

}  // namespace cairn::compute
