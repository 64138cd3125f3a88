#include "compute/launcher/secure_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace cairn::compute {

namespace {

bool IsPlain(std::string_view path) {
  if (path.size() < 2 || path[0] != '/' || path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

bool IsPlainPathUnder(std::string_view path, std::string_view root) {
  if (!IsPlain(path) || !(root == "/" || IsPlain(root))) return false;
  if (root == "/") return true;
  return path.size() > root.size() + 1 && path.substr(0, root.size()) == root && path[root.size()] == '/';
}

std::pair<std::string, std::string> SplitLastComponent(const std::string& path) {
  size_t slash = path.rfind('/');
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Result<int> OpenDirectoryNoFollow(const std::string& path) {
  if (path != "/" && !IsPlain(path)) return InvalidArgument("{} is not an absolute plain path", path);
  int fd = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open /");
  size_t start = 1;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    int next = ::openat(fd, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    ::close(fd);
    if (next < 0) {
      if (e == ELOOP || e == ENOTDIR)
        return PermissionDenied("{}: {} is a symlink or not a directory", path, path.substr(0, end));
      return ErrnoError(e, "open " + path.substr(0, end));
    }
    fd = next;
    start = end + 1;
  }
  return fd;
}

Status RemoveTreeAt(int dir_fd, const std::string& name) {
  struct stat st{};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::OK();
    return ErrnoError(errno, "stat " + name);
  }
  if (S_ISDIR(st.st_mode)) {
    int sub = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) return ErrnoError(errno, "open " + name);
    DIR* d = ::fdopendir(sub);
    if (d == nullptr) {
      int e = errno;
      ::close(sub);
      return ErrnoError(e, "opendir " + name);
    }
    std::vector<std::string> children;
    while (dirent* entry = ::readdir(d)) {
      std::string child = entry->d_name;
      if (child != "." && child != "..") children.push_back(std::move(child));
    }
    Status result;
    for (const auto& child : children) {
      Status st2 = RemoveTreeAt(::dirfd(d), child);
      if (!st2.ok() && result.ok()) result = st2.WithContext(name);
    }
    ::closedir(d);
    RETURN_IF_ERROR(result);
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return ErrnoError(errno, "rmdir " + name);
    return Status::OK();
  }
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) return ErrnoError(errno, "unlink " + name);
  return Status::OK();
}

}  // namespace cairn::compute
