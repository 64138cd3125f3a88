#include "client/fuse/mount_process.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace cairn::fuse {

namespace {
constexpr long kFuseSuperMagic = 0x65735546;
constexpr auto kPoll = std::chrono::milliseconds(20);
}  // namespace

Status CheckCanMount() {
  if (::geteuid() != 0) return PermissionDenied("mounting needs root (running as uid {})", ::geteuid());
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return ErrnoError(errno, "mounting needs /dev/fuse");
  return Status::OK();
}

bool IsFuseMount(const std::string& path) {
  struct statfs sb {};
  return ::statfs(path.c_str(), &sb) == 0 && static_cast<long>(sb.f_type) == kFuseSuperMagic;
}

Result<std::unique_ptr<FuseMountProcess>> FuseMountProcess::Start(const std::string& binary,
                                                                  const std::string& mountpoint,
                                                                  const std::vector<std::string>& args,
                                                                  const std::string& log_file, int timeout_ms) {
  RETURN_IF_ERROR(CheckCanMount());
  if (IsFuseMount(mountpoint)) return AlreadyExists("{} is already a FUSE mount", mountpoint);
  std::vector<std::string> argv_strings{binary, mountpoint, "-f"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return ErrnoError(errno, "opening " + log_file);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return ErrnoError(errno, "fork");
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  std::unique_ptr<FuseMountProcess> p(new FuseMountProcess(pid, mountpoint, log_file));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!IsFuseMount(mountpoint)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      return Unavailable("{} exited (status {}) before mounting {}: {}", binary, status, mountpoint, p->LogTail());
    }
    if (std::chrono::steady_clock::now() > deadline)
      return TimedOut("{} did not mount {} within {} ms: {}", binary, mountpoint, timeout_ms, p->LogTail());
    std::this_thread::sleep_for(kPoll);
  }
  return p;
}

int FuseMountProcess::WaitExit(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(kPoll);
  }
}

Status FuseMountProcess::Signal(int sig) {
  if (pid_ < 0) return InvalidArgument("cairn-fuse is not running");
  return ::kill(pid_, sig) == 0 ? Status::OK() : ErrnoError(errno, "kill");
}

Status FuseMountProcess::Wait(int timeout_ms) {
  if (pid_ < 0) return Status::OK();
  const int code = WaitExit(timeout_ms);
  if (pid_ >= 0) return TimedOut("cairn-fuse (pid {}) did not exit within {} ms", pid_, timeout_ms);
  left_mount_ = IsFuseMount(mountpoint_);
  if (code != 0) return Internal("cairn-fuse exited with status {}: {}", code, LogTail());
  if (left_mount_) return Internal("{} is still mounted after cairn-fuse exited", mountpoint_);
  return Status::OK();
}

Status FuseMountProcess::Stop(int timeout_ms) {
  if (pid_ < 0) return Status::OK();
  ::kill(pid_, SIGTERM);
  return Wait(timeout_ms);
}

FuseMountProcess::~FuseMountProcess() {
  if (pid_ >= 0) {
    (void)Stop(30000);
    if (pid_ >= 0) {
      ::kill(pid_, SIGKILL);
      WaitExit(10000);
      left_mount_ = true;
    }
  }
  // A killed server leaves a dead mount ("transport endpoint is not connected").
  if (left_mount_) ::umount2(mountpoint_.c_str(), MNT_DETACH);
}

std::string FuseMountProcess::LogTail() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  constexpr size_t kTail = 2000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

}  // namespace cairn::fuse
