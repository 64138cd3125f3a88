#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "common/clock.h"

extern char** environ;

namespace cairn::testing {

namespace {
std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> MergedEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extra) overridden |= x.substr(0, x.find('=')) == name;
    if (!overridden) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
}  // namespace

Subprocess::~Subprocess() { Kill(); }

Subprocess::Subprocess(Subprocess&& other) noexcept : pid_(other.pid_), exit_code_(other.exit_code_) {
  other.pid_ = -1;
}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    Kill();
    pid_ = other.pid_;
    exit_code_ = other.exit_code_;
    other.pid_ = -1;
  }
  return *this;
}

Result<Subprocess> Subprocess::Start(const std::vector<std::string>& argv, const std::string& log_path,
                                     const std::vector<std::string>& extra_env) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return ErrnoError(errno, "open " + log_path);
  auto args = CStrings(argv);
  auto env_strings = MergedEnv(extra_env);
  auto env = CStrings(env_strings);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return ErrnoError(errno, "fork");
  }
  if (pid == 0) {
    // Child: unblock signals a test runner may have blocked, redirect output, exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, STDIN_FILENO);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(log_fd);
  Subprocess p;
  p.pid_ = pid;
  return p;
}

bool Subprocess::running() {
  if (pid_ < 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = DecodeWaitStatus(status);
    pid_ = -1;
    return false;
  }
  return true;
}

Status Subprocess::Signal(int sig) {
  if (pid_ < 0) return NotFound("process is not running");
  if (::kill(pid_, sig) != 0) return ErrnoError(errno, "kill");
  return Status::OK();
}

Result<int> Subprocess::Wait(int timeout_ms) {
  int64_t deadline = MonotonicMillis() + timeout_ms;
  while (running()) {
    if (MonotonicMillis() > deadline) return TimedOut("process {} still running after {} ms", pid_, timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

Status Subprocess::Stop(int timeout_ms) {
  if (!running()) return Status::OK();
  RETURN_IF_ERROR(Signal(SIGTERM));
  auto r = Wait(timeout_ms);
  if (!r.ok()) {
    Kill();
    return r.status().WithContext("SIGTERM ignored, killed");
  }
  return Status::OK();
}

void Subprocess::Kill() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exit_code_ = DecodeWaitStatus(status);
  pid_ = -1;
}

Result<CommandResult> RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                                 const std::string& stdin_data, bool merge_stderr, int timeout_ms) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe");
  auto args = CStrings(argv);
  auto env_strings = MergedEnv(extra_env);
  auto env = CStrings(env_strings);
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    if (merge_stderr) ::dup2(out_pipe[1], STDERR_FILENO);
    ::execvpe(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
  std::thread feeder([fd = in_pipe[1], &stdin_data] {
    size_t done = 0;
    while (done < stdin_data.size()) {
      ssize_t w = ::write(fd, stdin_data.data() + done, stdin_data.size() - done);
      if (w <= 0) break;
      done += static_cast<size_t>(w);
    }
    ::close(fd);
  });
  CommandResult result;
  int64_t deadline = MonotonicMillis() + timeout_ms;
  char buf[65536];
  bool timed_out = false;
  for (;;) {
    int64_t left = deadline - MonotonicMillis();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{out_pipe[0], POLLIN, 0};
    int pr = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    result.out.append(buf, static_cast<size_t>(n));
  }
  if (timed_out) ::kill(pid, SIGKILL);
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  feeder.join();
  if (timed_out) return TimedOut("{} did not finish in {} ms; output so far: {}", argv[0], timeout_ms, result.out);
  result.exit_code = DecodeWaitStatus(status);
  return result;
}

}  // namespace cairn::testing
