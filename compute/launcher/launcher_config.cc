#include "compute/launcher/launcher_config.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "compute/launcher/secure_dir.h"

namespace cairn::compute {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> List(std::string_view value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    std::string_view item = Trim(value.substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<LauncherConfig> ParseLauncherConfig(std::string_view text, bool resolve_group) {
  LauncherConfig config;
  config.policy.min_uid_setting = "min_uid in task-launcher.cfg";
  config.policy.allowed_setting = "allowed_system_users in task-launcher.cfg";
  int line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return InvalidArgument("task-launcher.cfg line {}: expected key=value", line_no);
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    if (key == "caller_group") {
      config.caller_group = std::string(value);
    } else if (key == "work_roots") {
      config.work_roots = List(value);
    } else if (key == "min_uid") {
      char* stop = nullptr;
      const std::string v(value);
      unsigned long uid = std::strtoul(v.c_str(), &stop, 10);
      if (v.empty() || *stop != '\0' || uid > 0xFFFFFFFFul)
        return InvalidArgument("task-launcher.cfg line {}: min_uid must be a number", line_no);
      config.policy.min_uid = static_cast<uid_t>(uid);
    } else if (key == "allowed_system_users") {
      config.policy.allowed_system_users = List(value);
    } else if (key == "banned_users") {
      config.policy.banned_users = List(value);
    } else {
      return InvalidArgument("task-launcher.cfg line {}: unknown key {}", line_no, key);
    }
  }
  if (config.caller_group.empty()) return InvalidArgument("task-launcher.cfg names no caller_group");
  if (config.work_roots.empty()) return InvalidArgument("task-launcher.cfg names no work_roots");
  for (const auto& root : config.work_roots)
    if (!IsPlainPathUnder(root + "/x", root))
      return InvalidArgument("task-launcher.cfg: work root {} is not an absolute plain path", root);
  if (resolve_group) {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    int rc = ::getgrnam_r(config.caller_group.c_str(), &gr, buf.data(), buf.size(), &found);
    if (rc != 0) return ErrnoError(rc, "looking up the caller group " + config.caller_group);
    if (found == nullptr) return NotFound("task-launcher.cfg: no group {} (caller_group)", config.caller_group);
    if (gr.gr_gid == 0) return InvalidArgument("task-launcher.cfg: caller_group may not be root's group");
    config.caller_gid = gr.gr_gid;
  }
  return config;
}

std::string LauncherConfigPath(const std::string& binary) {
  auto [dir, name] = SplitLastComponent(binary);
  return dir + "/../etc/cairn/task-launcher.cfg";
}

Status CheckRootOwnedPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return ErrnoError(errno, "resolve " + path);
  std::string p = resolved;
  while (true) {
    struct stat st{};
    if (::lstat(p.c_str(), &st) != 0) return ErrnoError(errno, "stat " + p);
    if (st.st_uid != 0) return PermissionDenied("{} must be owned by root (it is owned by uid {})", p, st.st_uid);
    const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_dir)
      return PermissionDenied("{} must not be writable by group or others (mode {:o})", p, st.st_mode & 07777);
    if (p == "/") break;
    p = SplitLastComponent(p).first;
  }
  return Status::OK();
}

Result<LauncherConfig> LoadLauncherConfig() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return ErrnoError(errno, "readlink /proc/self/exe");
  self[n] = '\0';
  const std::string binary = self;
  RETURN_IF_ERROR(CheckRootOwnedPath(binary));
  const std::string config_path = LauncherConfigPath(binary);
  RETURN_IF_ERROR(CheckRootOwnedPath(config_path));
  int fd = ::open(config_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoError(errno, "open " + config_path);
  std::string text;
  char buf[4096];
  ssize_t got;
  while ((got = ::read(fd, buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<size_t>(got));
    if (text.size() > (1u << 20)) break;
  }
  ::close(fd);
  if (got < 0) return ErrnoError(errno, "read " + config_path);
  auto config = ParseLauncherConfig(text);
  if (!config.ok()) return config.status().WithContext(config_path);
  return config;
}

}  // namespace cairn::compute
