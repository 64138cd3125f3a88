#include "common/whole_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace cairn {

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("{}: no such file", path);
    return ErrnoError(err, "open " + path);
  }
  std::string out;
  struct stat st{};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError(err, "read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status WriteWholeFile(const std::string& path, std::string_view data, mode_t mode, FileWrite how) {
  const bool replace = how == FileWrite::kReplaceAtomically;
  const std::string target = replace ? path + ".tmp" : path;
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL), mode);
  if (fd < 0) return ErrnoError(errno, "create " + target);
  ssize_t n = ::write(fd, data.data(), data.size());
  int e = errno;
  bool ok = n == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  if (!ok) e = n < 0 ? e : errno;
  ::close(fd);
  if (ok && replace && ::rename(target.c_str(), path.c_str()) != 0) {
    ok = false;
    e = errno;
  }
  if (!ok) {
    if (replace) ::unlink(target.c_str());
    return ErrnoError(e, "write " + path);
  }
  return Status::OK();
}

}  // namespace cairn
