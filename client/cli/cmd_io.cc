// Data commands: put, get, cat. Uploads go to "<target>._COPYING_" and are renamed into
// place once complete (as `hdfs dfs -put` does), downloads likewise on the local side, so
// an interrupted copy never leaves a truncated file under the final name.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "client/cli/command.h"
#include "client/cli/progress.h"
#include "common/flags.h"
#include "common/path.h"

namespace cairn::cli {

namespace {

namespace stdfs = std::filesystem;
using client::FileStatus;

constexpr size_t kCopyBufferBytes = 4 << 20;
constexpr const char* kCopyingSuffix = "._COPYING_";

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Close() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, const uint8_t* p, size_t n, const std::string& what) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "writing " + what);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

std::string LocalBaseName(const std::string& local) {
  std::string name = stdfs::path(local).lexically_normal().filename().string();
  if (name.empty()) name = stdfs::path(local).lexically_normal().parent_path().filename().string();
  return name;
}

struct PutOptions {
  bool force = false;
  client::CreateOptions create;
  bool progress = false;
};

Status UploadFd(client::FileSystem& fs, int fd, const std::string& label, uint64_t size, const std::string& target,
                const PutOptions& opts) {
  if (!opts.force) {
    auto existing = fs.Stat(target);
    if (existing.ok()) return AlreadyExists("{}: file exists (use -f to overwrite)", target);
    if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
  }
  const std::string tmp = target + kCopyingSuffix;
  client::CreateOptions create = opts.create;
  create.overwrite = true;  // a leftover of an interrupted copy
  ASSIGN_OR_RETURN(auto out, fs.Create(tmp, create));
  std::unique_ptr<uint8_t[]> buf(new uint8_t[kCopyBufferBytes]);
  ProgressBar bar(opts.progress, label, size);
  Status st;
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), kCopyBufferBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = ErrnoError(errno, "reading " + label);
      break;
    }
    if (n == 0) break;
    st = out->Write(buf.get(), static_cast<size_t>(n));
    if (!st.ok()) break;
    bar.Add(static_cast<uint64_t>(n));
  }
  if (st.ok()) st = out->Close();
  if (st.ok()) st = fs.Rename(tmp, target, opts.force);
  bar.Finish();
  if (!st.ok()) {
    out.reset();
    (void)fs.Delete(tmp, false);
  }
  return st;
}

Status UploadPath(client::FileSystem& fs, const std::string& local, const std::string& target, bool recursive,
                  const PutOptions& opts) {
  std::error_code ec;
  stdfs::file_status st = stdfs::status(local, ec);
  if (ec) return ErrnoError(ec.value(), local);
  if (stdfs::is_directory(st)) {
    if (!recursive) return IsDirectory("{}: is a directory (use -r)", local);
    RETURN_IF_ERROR(fs.Mkdirs(target));
    std::vector<stdfs::path> children;
    for (const auto& entry : stdfs::directory_iterator(local, ec)) children.push_back(entry.path());
    if (ec) return ErrnoError(ec.value(), "listing " + local);
    std::sort(children.begin(), children.end());
    for (const auto& child : children) {
      if (!stdfs::is_directory(child, ec) && !stdfs::is_regular_file(child, ec)) continue;
      RETURN_IF_ERROR(UploadPath(fs, child.string(), JoinPath(target, child.filename().string()), recursive, opts));
    }
    return Status::OK();
  }
  Fd fd(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError(errno, local);
  struct stat sb {};
  uint64_t size = ::fstat(fd.get(), &sb) == 0 && S_ISREG(sb.st_mode) ? static_cast<uint64_t>(sb.st_size) : 0;
  return UploadFd(fs, fd.get(), LocalBaseName(local), size, target, opts);
}

Status Put(CliContext& ctx, const std::vector<std::string>& args) {
  bool recursive = false, force = false;
  std::string replication, block_size;
  std::vector<std::string> paths;
  ArgParser p("put [-r] [-f] [--replication N] [--block-size SIZE] LOCAL... REMOTE",
              "Upload local files (LOCAL '-' is standard input). An existing directory REMOTE receives them inside.");
  p.Flag("-r,--recursive", &recursive, "upload directories with their contents")
      .Flag("-f,--force", &force, "overwrite existing files")
      .Option("--replication", &replication, "N", "replication of the new files (default: the namenode's)")
      .Option("--block-size", &block_size, "SIZE", "block size of the new files, e.g. 64MiB (default: the namenode's)")
      .Operands(&paths, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  PutOptions opts;
  opts.force = force;
  opts.progress = ctx.stdout_is_tty();
  if (!replication.empty()) {
    auto n = ParseCount(replication, "replication", 32767);
    if (!n.ok() || *n == 0) {
      ctx.set_usage_error();
      return n.ok() ? InvalidArgument("replication must be at least 1") : n.status();
    }
    opts.create.replication = static_cast<uint32_t>(*n);
  }
  if (!block_size.empty()) {
    auto n = ParseByteSize(block_size);
    if (!n.ok()) {
      ctx.set_usage_error();
      return n.status().WithContext("--block-size");
    }
    opts.create.block_size = *n;
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  const std::string remote = paths.back();
  paths.pop_back();
  auto remote_st = fs->Stat(remote);
  if (!remote_st.ok() && remote_st.status().code() != ErrorCode::kNotFound) return remote_st.status();
  const bool into_dir = remote_st.ok() && remote_st->is_dir;
  if (paths.size() > 1 && !into_dir) return NotDirectory("{}: not an existing directory (uploading several files)", remote);
  for (const auto& local : paths) {
    if (local == "-") {
      if (into_dir) return IsDirectory("{}: is a directory; name the file to write standard input to", remote);
      RETURN_IF_ERROR(UploadFd(*fs, 0, "stdin", 0, remote, opts));
      continue;
    }
    std::string target = into_dir ? JoinPath(remote_st->path, LocalBaseName(local)) : remote;
    RETURN_IF_ERROR(UploadPath(*fs, local, target, recursive, opts));
  }
  return Status::OK();
}

Status CopyToFd(client::InputStream& in, int fd, const std::string& what, ProgressBar* bar) {
  std::unique_ptr<uint8_t[]> buf(new uint8_t[kCopyBufferBytes]);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, in.Read(buf.get(), kCopyBufferBytes));
    if (n == 0) return Status::OK();
    RETURN_IF_ERROR(WriteAll(fd, buf.get(), n, what));
    if (bar != nullptr) bar->Add(n);
  }
}

Status DownloadFile(client::FileSystem& fs, const FileStatus& remote, const std::string& local, bool force,
                    bool progress) {
  ASSIGN_OR_RETURN(auto in, fs.Open(remote.path));
  if (local == "-") return CopyToFd(*in, 1, "standard output", nullptr);
  std::error_code ec;
  if (!force && stdfs::exists(local, ec)) return AlreadyExists("{}: file exists (use -f to overwrite)", local);
  const std::string tmp = local + kCopyingSuffix;
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return ErrnoError(errno, tmp);
  ProgressBar bar(progress, remote.name, in->Length());
  Status st = CopyToFd(*in, fd.get(), local, &bar);
  if (fd.Close() != 0 && st.ok()) st = ErrnoError(errno, "closing " + tmp);
  if (st.ok() && ::rename(tmp.c_str(), local.c_str()) != 0) st = ErrnoError(errno, "renaming " + tmp);
  bar.Finish();
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Status DownloadPath(client::FileSystem& fs, const FileStatus& remote, const std::string& local, bool recursive,
                    bool force, bool progress) {
  if (!remote.is_dir) return DownloadFile(fs, remote, local, force, progress);
  if (!recursive) return IsDirectory("{}: is a directory (use -r)", remote.path);
  if (local == "-") return IsDirectory("{}: is a directory; cannot write it to standard output", remote.path);
  std::error_code ec;
  stdfs::create_directories(local, ec);
  if (ec) return ErrnoError(ec.value(), "creating " + local);
  ASSIGN_OR_RETURN(std::vector<FileStatus> children, fs.List(remote.path));
  for (const auto& child : children) {
    RETURN_IF_ERROR(DownloadPath(fs, child, (stdfs::path(local) / child.name).string(), recursive, force, progress));
  }
  return Status::OK();
}

Status Get(CliContext& ctx, const std::vector<std::string>& args) {
  bool recursive = false, force = false;
  std::vector<std::string> paths;
  ArgParser p("get [-r] [-f] REMOTE... LOCAL",
              "Download files (LOCAL '-' is standard output). An existing local directory receives them inside.");
  p.Flag("-r,--recursive", &recursive, "download directories with their contents")
      .Flag("-f,--force", &force, "overwrite existing local files")
      .Operands(&paths, 2);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  const std::string local = paths.back();
  paths.pop_back();
  std::error_code ec;
  const bool into_dir = local != "-" && stdfs::is_directory(local, ec);
  if (paths.size() > 1 && !into_dir && local != "-")
    return NotDirectory("{}: not an existing directory (downloading several files)", local);
  const bool progress = ctx.stdout_is_tty() && local != "-";
  for (const auto& remote : paths) {
    ASSIGN_OR_RETURN(FileStatus st, fs->Stat(remote));
    std::string target = into_dir ? (stdfs::path(local) / (st.name.empty() ? "root" : st.name)).string() : local;
    RETURN_IF_ERROR(DownloadPath(*fs, st, target, recursive, force, progress));
  }
  return Status::OK();
}

Status Cat(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  ArgParser p("cat PATH...", "Print files to standard output.");
  p.Operands(&paths, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  for (const auto& path : paths) {
    ASSIGN_OR_RETURN(FileStatus st, fs->Stat(path));
    if (st.is_dir) return IsDirectory("{}: is a directory", st.path);
    ASSIGN_OR_RETURN(auto in, fs->Open(st.path));
    RETURN_IF_ERROR(CopyToFd(*in, 1, "standard output", nullptr));
  }
  return Status::OK();
}

}  // namespace

void AddIoCommands(std::vector<Command>* commands) {
  commands->push_back({"put", "upload local files", Put});
  commands->push_back({"get", "download files", Get});
  commands->push_back({"cat", "print files", Cat});
}

}  // namespace cairn::cli
