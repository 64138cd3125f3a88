#include "client/fuse/mount.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "client/fuse/cairn_fs.h"
#include "client/fuse/fuse_ops.h"

namespace cairn::fuse {

namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Where the outcome of mounting goes: the waiting parent (daemon mode) or stderr.
class Reporter {
 public:
  explicit Reporter(int fd) : fd_(fd) {}
  int Fail(const std::string& message) {
    if (fd_ >= 0) {
      WriteAll(message);
      ::close(fd_);
      fd_ = -1;
    } else {
      std::fprintf(stderr, "cairn-fuse: %s\n", message.c_str());
    }
    spdlog::error("{}", message);
    return 1;
  }
  // Mounted: release the parent and drop the terminal.
  void Mounted() {
    if (fd_ < 0) return;
    WriteAll("ok");
    ::close(fd_);
    fd_ = -1;
    if (::chdir("/") != 0) spdlog::warn("chdir(/) failed");
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (null > 2) ::close(null);
    }
  }

 private:
  void WriteAll(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  int fd_;
};

// Daemon mode: returns in the child (with the pipe to report to); the parent exits here.
int Detach() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("cairn-fuse: pipe");
    std::exit(1);
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("cairn-fuse: fork");
    std::exit(1);
  }
  if (pid > 0) {
    ::close(fds[1]);
    std::string message;
    char buf[512];
    for (;;) {
      ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      message.append(buf, static_cast<size_t>(n));
    }
    if (message == "ok") std::exit(0);
    if (message.empty()) message = "the mounting process exited before the mount was ready";
    std::fprintf(stderr, "cairn-fuse: %s\n", message.c_str());
    std::exit(1);
  }
  ::close(fds[0]);
  ::setsid();
  return fds[1];
}

std::vector<std::string> FuseArgs(const FuseSettings& s) {
  std::vector<std::string> args{"cairn-fuse"};
  if (s.debug) args.push_back("-d");
  bool has_fsname = false, has_subtype = false;
  std::string opts;
  for (const auto& o : s.fuse_options) {
    has_fsname |= o.rfind("fsname=", 0) == 0;
    has_subtype |= o.rfind("subtype=", 0) == 0;
    opts += (opts.empty() ? "" : ",") + o;
  }
  // `mount` then shows "cairn:HOST:PORT on MNT type fuse.cairn".
  if (!has_fsname) opts += (opts.empty() ? "" : ",") + ("fsname=cairn:" + s.namenode);
  if (!has_subtype) opts += ",subtype=cairn";
  args.push_back("-o");
  args.push_back(opts);
  return args;
}

}  // namespace

int RunMount(const FuseSettings& settings) {
  Reporter report(settings.foreground ? -1 : Detach());
  sigset_t stop = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  InitLogging("cairn-fuse", settings.log);

  CairnFs fs(settings);
  Status reachable = fs.CheckConnection(Caller{::geteuid(), ::getegid()});
  if (!reachable.ok())
    return report.Fail(fmt::format("cannot reach the namenode at {}: {}", settings.namenode, reachable.ToString()));

  std::vector<std::string> arg_strings = FuseArgs(settings);
  std::vector<char*> argv;
  for (auto& a : arg_strings) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  const fuse_operations ops = MakeOperations();
  MountContext context{&fs, &settings};
  struct fuse* f = fuse_new(&args, &ops, sizeof(ops), &context);
  if (f == nullptr) return report.Fail(fmt::format("libfuse refused the mount options `{}`", arg_strings.back()));
  if (fuse_mount(f, settings.mountpoint.c_str()) != 0) {
    fuse_destroy(f);
    return report.Fail(fmt::format("cannot mount at {} (does it exist, and is /dev/fuse usable?)", settings.mountpoint));
  }
  fs.SetKernelInvalidator([f](const std::string& path) { (void)fuse_invalidate_path(f, path.c_str()); });
  fuse_session* se = fuse_get_session(f);
  if (fuse_set_signal_handlers(se) != 0) {
    fuse_unmount(f);
    fuse_destroy(f);
    return report.Fail("cannot install signal handlers");
  }
  spdlog::info("mounted {} at {}", settings.namenode, settings.mountpoint);
  report.Mounted();

  pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);  // only this thread takes the stop signals
  int rc = 0;
  if (settings.single_thread) {
    rc = fuse_loop(f);
  } else {
    fuse_loop_config* loop = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(loop, static_cast<unsigned>(settings.max_threads));
    fuse_loop_cfg_set_idle_threads(loop, static_cast<unsigned>(std::min(settings.max_threads, 4)));
    fuse_loop_cfg_set_clone_fd(loop, 0);
    rc = fuse_loop_mt(f, loop);
    fuse_loop_cfg_destroy(loop);
  }
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  fuse_remove_signal_handlers(se);
  fuse_unmount(f);
  fs.CloseAll();
  fuse_destroy(f);
  // libfuse reports the stop signal's number; that is a clean exit.
  const bool clean = rc == 0 || rc == SIGTERM || rc == SIGINT || rc == SIGHUP;
  if (clean) {
    spdlog::info("unmounted {}", settings.mountpoint);
  } else {
    spdlog::error("the FUSE loop ended with error {}", rc);
  }
  return clean ? 0 : 1;
}

}  // namespace cairn::fuse
