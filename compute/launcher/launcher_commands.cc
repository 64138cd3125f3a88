#include "compute/launcher/launcher_commands.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "compute/launcher/launch_report.h"
#include "compute/launcher/secure_dir.h"

extern char** environ;

namespace cairn::compute {

namespace {

bool UnderAWorkRoot(const LauncherConfig& config, const std::string& path) {
  return std::any_of(config.work_roots.begin(), config.work_roots.end(),
                     [&](const std::string& root) { return IsPlainPathUnder(path, root); });
}

Status SwitchTo(const TaskUser& user) {
  if (::setgroups(user.groups.size(), user.groups.data()) != 0) return ErrnoError(errno, "setgroups");
  if (::setresgid(user.gid, user.gid, user.gid) != 0) return ErrnoError(errno, "setresgid");
  if (::setresuid(user.uid, user.uid, user.uid) != 0) return ErrnoError(errno, "setresuid");
  uid_t r, e, s;
  if (::getresuid(&r, &e, &s) != 0 || r != user.uid || e != user.uid || s != user.uid)
    return Internal("the switch to {} did not take", user.name);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return ErrnoError(errno, "no_new_privs");
  return Status::OK();
}

// Gives the regular files the caller left in the work dir (the task description, the CA,
// the log files) to the task account and the caller group, owner and group read-write.
Status HandOverEntries(int dir_fd, uid_t caller_uid, const TaskUser& user, gid_t group) {
  int list_fd = ::dup(dir_fd);
  if (list_fd < 0) return ErrnoError(errno, "dup");
  DIR* d = ::fdopendir(list_fd);
  if (d == nullptr) {
    int e = errno;
    ::close(list_fd);
    return ErrnoError(e, "opendir");
  }
  Status result;
  while (dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) continue;  // a symlink or a socket: not the caller's file to hand over
    struct stat st{};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == caller_uid &&
        (::fchown(fd, user.uid, group) != 0 || ::fchmod(fd, 0660) != 0) && result.ok())
      result = ErrnoError(errno, "hand over " + name);
    ::close(fd);
  }
  ::closedir(d);
  return result;
}

// A kLauncher report carries the ErrorCode of the refusal where others carry an errno.
void Report(int fd, const Status& st, const std::string& message) {
  if (fd < 0) return;
  LaunchReport report{LaunchStep::kLauncher, static_cast<int>(st.code())};
  std::string bytes(reinterpret_cast<const char*>(&report), sizeof report);
  bytes += message.substr(0, kLaunchMessageMax);
  ssize_t ignored = ::write(fd, bytes.data(), bytes.size());
  (void)ignored;
}

}  // namespace

LauncherCaller LauncherCaller::OfThisProcess() {
  LauncherCaller c;
  c.uid = ::getuid();
  c.gid = ::getgid();
  int n = ::getgroups(0, nullptr);
  if (n > 0) {
    c.groups.resize(static_cast<size_t>(n));
    n = ::getgroups(n, c.groups.data());
    c.groups.resize(static_cast<size_t>(std::max(n, 0)));
  }
  c.parent = ::getppid();
  return c;
}

Status CheckCaller(const LauncherConfig& config, const LauncherCaller& caller) {
  if (caller.uid == 0) return Status::OK();
  if (caller.gid == config.caller_gid ||
      std::find(caller.groups.begin(), caller.groups.end(), config.caller_gid) != caller.groups.end())
    return Status::OK();
  return PermissionDenied("uid {} may not run the task launcher: it is not in the group {} (caller_group)", caller.uid,
                          config.caller_group);
}

Result<TaskUser> ResolveLaunchUser(const LauncherConfig& config, const std::string& name) {
  ASSIGN_OR_RETURN(TaskUser user, ResolveTaskUser(name, config.policy));
  if (std::find(user.groups.begin(), user.groups.end(), config.caller_gid) != user.groups.end())
    return PermissionDenied("tasks may not run as {}: it is in the group {} that may run the task launcher", name,
                            config.caller_group);
  return user;
}

Status RunLaunch(const LauncherConfig& config, const LauncherCaller& caller, const LaunchCommand& command) {
  if (command.argv.empty()) return InvalidArgument("no task binary to launch");
  if (!UnderAWorkRoot(config, command.work_dir))
    return PermissionDenied("the work dir {} is not a plain path under a work root of task-launcher.cfg",
                            command.work_dir);
  ASSIGN_OR_RETURN(TaskUser user, ResolveLaunchUser(config, command.user));
  ASSIGN_OR_RETURN(int dir_fd, OpenDirectoryNoFollow(command.work_dir));
  struct stat st{};
  if (::fstat(dir_fd, &st) != 0) return ErrnoError(errno, "stat " + command.work_dir);
  if (st.st_uid != caller.uid && st.st_uid != user.uid)
    return PermissionDenied("the work dir {} belongs to uid {}, neither the caller nor {}", command.work_dir,
                            st.st_uid, user.name);
  // The entries first, while the directory is still the caller's alone.
  RETURN_IF_ERROR(HandOverEntries(dir_fd, caller.uid, user, config.caller_gid).WithContext(command.work_dir));
  if (::fchown(dir_fd, user.uid, config.caller_gid) != 0 || ::fchmod(dir_fd, 02770) != 0)
    return ErrnoError(errno, "give " + command.work_dir + " to " + user.name);
  ::umask(0007);
  RETURN_IF_ERROR(SwitchTo(user).WithContext("switching to " + user.name));
  // Changing credentials (and the setuid exec before) cleared the parent-death signal.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != caller.parent) ::_exit(127);  // the datanode died already
  if (::fchdir(dir_fd) != 0) return ErrnoError(errno, "enter " + command.work_dir);
  ::close(dir_fd);
  if (command.report_fd >= 0) ::fcntl(command.report_fd, F_SETFD, FD_CLOEXEC);
  std::vector<char*> argv;
  std::vector<std::string> storage = command.argv;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execve(argv[0], argv.data(), environ);
  return ErrnoError(errno, "exec " + command.argv[0] + " as " + user.name);
}

Status RunSignal(const LauncherConfig& config, const std::string& name, pid_t pid, int signal) {
  if (pid <= 1) return InvalidArgument("no such task process {}", pid);
  if (signal != SIGKILL && signal != SIGTERM && signal != 0) return InvalidArgument("signal {} is not allowed", signal);
  ASSIGN_OR_RETURN(TaskUser user, ResolveLaunchUser(config, name));
  RETURN_IF_ERROR(SwitchTo(user).WithContext("switching to " + user.name));
  // As the task account, only its own processes can be reached.
  int group_rc = ::kill(-pid, signal);
  int group_err = errno;
  int rc = ::kill(pid, signal);
  if (group_rc != 0 && rc != 0) {
    if (group_err == ESRCH && errno == ESRCH) return Status::OK();  // gone already
    return ErrnoError(errno == ESRCH ? group_err : errno, fmt::format("signal {} as {}", pid, user.name));
  }
  return Status::OK();
}

Status RunDelete(const LauncherConfig& config, const std::string& path) {
  if (!UnderAWorkRoot(config, path))
    return PermissionDenied("{} is not a plain path under a work root of task-launcher.cfg", path);
  auto [parent, name] = SplitLastComponent(path);
  auto dir_fd = OpenDirectoryNoFollow(parent);
  if (!dir_fd.ok()) {
    if (dir_fd.status().code() == ErrorCode::kNotFound) return Status::OK();
    return dir_fd.status();
  }
  Status st = RemoveTreeAt(*dir_fd, name);
  ::close(*dir_fd);
  return st.WithContext("delete " + path);
}

std::vector<std::string> LaunchArguments(const std::string& user, const std::string& work_dir, int handed_fds,
                                         int report_fd) {
  return {"launch", "--user=" + user, "--work_dir=" + work_dir, "--fds=" + std::to_string(handed_fds),
          "--report_fd=" + std::to_string(report_fd), "--"};
}

std::vector<std::string> SignalArguments(const std::string& user, pid_t pid, int signal) {
  return {"signal", "--user=" + user, "--pid=" + std::to_string(pid), "--signal=" + std::to_string(signal)};
}

std::vector<std::string> DeleteArguments(const std::string& path) { return {"delete", "--path=" + path}; }

namespace {

// --name=value options up to "--"; the rest (after "--") is positional.
struct Options {
  std::vector<std::pair<std::string, std::string>> named;
  std::vector<std::string> rest;
  const std::string* Get(const std::string& name) const {
    for (const auto& [k, v] : named)
      if (k == name) return &v;
    return nullptr;
  }
};

Result<Options> ParseOptions(int argc, char** argv, int first) {
  Options o;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (int j = i + 1; j < argc; ++j) o.rest.emplace_back(argv[j]);
      break;
    }
    size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) return InvalidArgument("unexpected argument {}", a);
    o.named.emplace_back(a.substr(2, eq - 2), a.substr(eq + 1));
  }
  return o;
}

Result<long> Number(const Options& o, const std::string& name) {
  const std::string* v = o.Get(name);
  if (v == nullptr) return InvalidArgument("--{} is required", name);
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n < 0 || n > (1l << 30)) return InvalidArgument("--{}={} is not a number", name, *v);
  return n;
}

Result<std::string> Text(const Options& o, const std::string& name) {
  const std::string* v = o.Get(name);
  if (v == nullptr || v->empty()) return InvalidArgument("--{} is required", name);
  return *v;
}

Status Run(int argc, char** argv, int* report_fd) {
  if (argc < 2) return InvalidArgument("usage: cairn-task-launcher check|launch|signal|delete ...");
  const std::string command = argv[1];
  ASSIGN_OR_RETURN(Options options, ParseOptions(argc, argv, 2));
  if (command == "launch") {
    // The report descriptor first, so every refusal after this reaches the executor.
    auto fd = Number(options, "report_fd");
    if (fd.ok()) *report_fd = static_cast<int>(*fd);
  }
  const LauncherCaller caller = LauncherCaller::OfThisProcess();
  if (::geteuid() != 0)
    return PermissionDenied("the task launcher runs as uid {}: it must be owned by root and setuid (chmod 4750)",
                            ::geteuid());
  ASSIGN_OR_RETURN(LauncherConfig config, LoadLauncherConfig());
  RETURN_IF_ERROR(CheckCaller(config, caller));
  if (command == "check") {
    std::printf("task launcher ready: caller_group %s, work_roots", config.caller_group.c_str());
    for (const auto& r : config.work_roots) std::printf(" %s", r.c_str());
    std::printf(", min_uid %u\n", static_cast<unsigned>(config.policy.min_uid));
    return Status::OK();
  }
  if (command == "launch") {
    LaunchCommand launch;
    ASSIGN_OR_RETURN(launch.user, Text(options, "user"));
    ASSIGN_OR_RETURN(launch.work_dir, Text(options, "work_dir"));
    ASSIGN_OR_RETURN(long fds, Number(options, "fds"));
    launch.handed_fds = static_cast<int>(fds);
    launch.report_fd = *report_fd;
    launch.argv = options.rest;
    return RunLaunch(config, caller, launch);
  }
  if (command == "signal") {
    ASSIGN_OR_RETURN(std::string user, Text(options, "user"));
    ASSIGN_OR_RETURN(long pid, Number(options, "pid"));
    ASSIGN_OR_RETURN(long signal, Number(options, "signal"));
    return RunSignal(config, user, static_cast<pid_t>(pid), static_cast<int>(signal));
  }
  if (command == "delete") {
    ASSIGN_OR_RETURN(std::string path, Text(options, "path"));
    return RunDelete(config, path);
  }
  return InvalidArgument("unknown command {} (check, launch, signal, delete)", command);
}

}  // namespace

int LauncherMain(int argc, char** argv) {
  int report_fd = -1;
  Status st = Run(argc, argv, &report_fd);
  if (st.ok()) return 0;
  const std::string message = "cairn-task-launcher: " + st.message();
  std::fprintf(stderr, "%s\n", message.c_str());
  Report(report_fd, st, message);
  return 1;
}

}  // namespace cairn::compute
