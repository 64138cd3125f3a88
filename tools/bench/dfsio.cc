// dfsio: client throughput, in the spirit of Hadoop's TestDFSIO. --files N files of --size
// bytes each are written (or read) by N threads at once; the same bytes are written (or
// read) with plain file I/O under --local-dir in the same run as the baseline.
//   write baseline: write() + fsync() per file ("local write+fsync"), or without fsync
//                   with --baseline-no-fsync ("local write (page cache)").
//   read baseline:  read() of files just written; the page cache is not dropped, so this
//                   is usually a memory-speed figure ("local read (page cache not dropped)").
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/flags.h"
#include "common/path.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/benchmarks.h"

namespace cairn::bench {

namespace {

constexpr size_t kBufferBytes = 4 << 20;
constexpr double kMiB = 1024.0 * 1024.0;

Status WriteDfsFile(client::FileSystem& fs, const std::string& path, uint64_t size, const std::vector<uint8_t>& payload,
                    const client::CreateOptions& opts) {
  ASSIGN_OR_RETURN(auto out, fs.Create(path, opts));
  for (uint64_t done = 0; done < size;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size - done, payload.size()));
    RETURN_IF_ERROR(out->Write(payload.data(), n));
    done += n;
  }
  return out->Close();
}

Status ReadDfsFile(client::FileSystem& fs, const std::string& path, uint64_t size) {
  ASSIGN_OR_RETURN(auto in, fs.Open(path));
  std::vector<uint8_t> buf(kBufferBytes);
  uint64_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
    if (n == 0) break;
    total += n;
  }
  if (total != size) return IoError("{}: read {} bytes, expected {}", path, total, size);
  return Status::OK();
}

Status WriteLocal(const std::string& path, uint64_t size, const std::vector<uint8_t>& payload, bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, path);
  Status st;
  for (uint64_t done = 0; done < size && st.ok();) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size - done, payload.size()));
    ssize_t w = ::write(fd, payload.data(), n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) st = ErrnoError(errno, "write " + path);
    else done += static_cast<uint64_t>(w);
  }
  if (st.ok() && sync && ::fsync(fd) != 0) st = ErrnoError(errno, "fsync " + path);
  if (::close(fd) != 0 && st.ok()) st = ErrnoError(errno, "close " + path);
  return st;
}

Status ReadLocal(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, path);
  std::vector<uint8_t> buf(kBufferBytes);
  uint64_t total = 0;
  Status st;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = ErrnoError(errno, "read " + path);
    if (n <= 0) break;
    total += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (st.ok() && total != size) st = IoError("{}: read {} bytes, expected {}", path, total, size);
  return st;
}

}  // namespace

Status RunDfsio(const std::vector<std::string>& args, bool* usage_error) {
  CommonArgs common;
  bool write = false, read = false, no_fsync = false;
  std::string size_text = "1GiB", files_text = "1", dir = "/benchmarks/dfsio", replication_text, block_size_text;
  cli::ArgParser p("dfsio --write|--read [--size SIZE] [--files N] [--dir DIR] [options]",
                   "Client write or read throughput (MiB/s) against plain local file I/O in the same run.");
  p.Flag("--write", &write, "measure writing")
      .Flag("--read", &read, "measure reading (files are written first, untimed)")
      .Option("--size", &size_text, "SIZE", "bytes per file, e.g. 1GiB (default 1GiB)")
      .Option("--files", &files_text, "N", "files, each written/read by its own thread (default 1)")
      .Option("--dir", &dir, "DIR", "cluster directory for the files (default /benchmarks/dfsio)")
      .Option("--replication", &replication_text, "N", "replication of the files (default: the namenode's)")
      .Option("--block-size", &block_size_text, "SIZE", "block size of the files (default: the namenode's)")
      .Flag("--baseline-no-fsync", &no_fsync, "write baseline without fsync (page cache speed)")
      .Operands(nullptr, 0, 0);
  ASSIGN_OR_RETURN(bool run, common.Parse(p, args, usage_error));
  if (!run) return Status::OK();
  if (write == read) return InvalidArgument("give exactly one of --write and --read");
  ASSIGN_OR_RETURN(uint64_t size, ParseByteSize(size_text));
  ASSIGN_OR_RETURN(uint64_t files, cli::ParseCount(files_text, "--files", 4096));
  if (files == 0) return InvalidArgument("--files must be at least 1");
  ASSIGN_OR_RETURN(int runs, common.Runs());
  client::CreateOptions create;
  create.overwrite = true;
  if (!replication_text.empty()) {
    ASSIGN_OR_RETURN(uint64_t r, cli::ParseCount(replication_text, "--replication", 512));
    create.replication = static_cast<uint32_t>(r);
  }
  if (!block_size_text.empty()) {
    ASSIGN_OR_RETURN(create.block_size, ParseByteSize(block_size_text));
  }
  *usage_error = false;

  ASSIGN_OR_RETURN(std::unique_ptr<client::FileSystem> fs, common.Connect());
  const int n = static_cast<int>(files);
  const std::vector<uint8_t> payload = Payload(kBufferBytes, 42);
  auto dfs_path = [&](int i) { return JoinPath(dir, fmt::format("file_{}", i)); };
  const std::string local_dir = common.LocalDir();
  auto local_path = [&](int i) { return fmt::format("{}/cairn-dfsio-{}-{}", local_dir, ::getpid(), i); };

  std::vector<double> dfs_times, base_times;
  if (read) {
    RETURN_IF_ERROR(fs->Mkdirs(dir));
    RETURN_IF_ERROR(RunParallel(n, [&](int i) -> Status {
                      auto st = fs->Stat(dfs_path(i));
                      if (!st.ok() || st->length != size) RETURN_IF_ERROR(WriteDfsFile(*fs, dfs_path(i), size, payload, create));
                      return WriteLocal(local_path(i), size, payload, false);
                    }).status());
  }
  for (int r = 0; r < runs; ++r) {
    if (write) {
      (void)fs->Delete(dir, true);
      RETURN_IF_ERROR(fs->Mkdirs(dir));
      ASSIGN_OR_RETURN(double t, RunParallel(n, [&](int i) { return WriteDfsFile(*fs, dfs_path(i), size, payload, create); }));
      ASSIGN_OR_RETURN(double b, RunParallel(n, [&](int i) { return WriteLocal(local_path(i), size, payload, !no_fsync); }));
      dfs_times.push_back(t);
      base_times.push_back(b);
    } else {
      ASSIGN_OR_RETURN(double t, RunParallel(n, [&](int i) { return ReadDfsFile(*fs, dfs_path(i), size); }));
      ASSIGN_OR_RETURN(double b, RunParallel(n, [&](int i) { return ReadLocal(local_path(i), size); }));
      dfs_times.push_back(t);
      base_times.push_back(b);
    }
  }
  if (!common.keep) {
    (void)fs->Delete(dir, true);
    for (int i = 0; i < n; ++i) ::unlink(local_path(i).c_str());
  }
  const uint64_t bytes = size * files;
  const double seconds = Median(dfs_times), base_seconds = Median(base_times);
  const double mib_s = seconds > 0 ? static_cast<double>(bytes) / kMiB / seconds : 0.0;
  const double base_mib_s = base_seconds > 0 ? static_cast<double>(bytes) / kMiB / base_seconds : 0.0;
  PrintFigure({{"bench", "dfsio"},
               {"op", write ? "write" : "read"},
               {"files", files},
               {"bytes", bytes},
               {"runs", runs},
               {"seconds", seconds},
               {"mib_per_s", mib_s},
               {"baseline", write ? (no_fsync ? "local write (page cache)" : "local write+fsync")
                                  : "local read (page cache not dropped)"},
               {"baseline_seconds", base_seconds},
               {"baseline_mib_per_s", base_mib_s},
               {"ratio", base_mib_s > 0 ? mib_s / base_mib_s : 0.0}});
  return Status::OK();
}

}  // namespace cairn::bench
