#include "compute/local_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace cairn::compute {

namespace {
Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoError(errno, "write " + path);
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace


Status WriteFileAtomically(const std::string& path, std::string_view contents, bool sync) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "create " + tmp);
  Status st = WriteAll(fd, contents.data(), contents.size(), tmp);
  if (st.ok() && sync && ::fdatasync(fd) != 0) st = ErrnoError(errno, "fdatasync " + tmp);
  if (::close(fd) != 0 && st.ok()) st = ErrnoError(errno, "close " + tmp);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = ErrnoError(errno, "rename " + tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (sync) {
    std::string dir = DirOf(path);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return ErrnoError(errno, "open " + dir);
    int rc = ::fsync(dfd);
    int err = errno;
    ::close(dfd);
    if (rc != 0) return ErrnoError(err, "fsync " + dir);
  }
  return Status::OK();
}

Status ReadProtoFile(const std::string& path, google::protobuf::MessageLite* message) {
  ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path));
  if (!message->ParseFromString(data)) return Corruption("{}: not a valid {} record", path, message->GetTypeName());
  return Status::OK();
}

Status WriteProtoFile(const std::string& path, const google::protobuf::MessageLite& message, bool sync) {
  std::string data;
  if (!message.SerializeToString(&data)) return Internal("cannot serialize {}", message.GetTypeName());
  return WriteFileAtomically(path, data, sync);
}

Status MakeDirectories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IoError("mkdir {}: {}", path, ec.message());
  return Status::OK();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return IoError("remove {}: {}", path, ec.message());
  return Status::OK();
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st{};
  std::string out;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    uint64_t size = static_cast<uint64_t>(st.st_size);
    uint64_t from = size > max_bytes ? size - max_bytes : 0;
    out.resize(static_cast<size_t>(size - from));
    ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(from));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    // Start at a line boundary when the tail was cut.
    if (from > 0) {
      size_t nl = out.find('\n');
      if (nl != std::string::npos && nl + 1 < out.size()) out.erase(0, nl + 1);
    }
  }
  ::close(fd);
  return out;
}

Result<TaskFile> TaskFile::Open(const std::string& trusted_dir, const std::string& relative) {
  int dir = ::open(trusted_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return ErrnoError(errno, "open " + trusted_dir);
  size_t start = 0;
  for (;;) {
    size_t slash = relative.find('/', start);
    const std::string part = relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    const bool last = slash == std::string::npos;
    if (part.empty() || part == "." || part == "..") {
      ::close(dir);
      return InvalidArgument("bad task file name '{}'", relative);
    }
    int fd = ::openat(dir, part.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last ? 0 : O_DIRECTORY));
    int err = errno;
    ::close(dir);
    if (fd < 0) {
      if (err == ELOOP) return PermissionDenied("{}/{} is a symbolic link, which is not followed", trusted_dir, relative);
      return ErrnoError(err, "open " + trusted_dir + "/" + relative);
    }
    if (last) return TaskFile(fd);
    dir = fd;
    start = slash + 1;
  }
}

TaskFile::~TaskFile() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cairn::compute
