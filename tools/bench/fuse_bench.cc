// fuse: sequential throughput through a cairn-fuse mount against libcairn directly, in the
// same run on the same cluster. The benchmark mounts the namespace itself (cairn-fuse from
// the same bin directory, in the foreground, as the same user as the direct client), then
// per run writes one --size file through the mount (1 MiB write() calls, close completes
// the file) and one with an OutputStream, and reads each back (1 MiB read() calls; every
// open starts with a cold kernel page cache, as cairn-fuse drops it at open; the direct
// read uses an InputStream with default options). Each timed phase starts after sync(2),
// so no phase pays for the datanodes' writeback of the one before, and the two sides take
// turns going first. Needs root and /dev/fuse.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "client/fuse/mount_process.h"
#include "common/flags.h"
#include "common/path.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/benchmarks.h"

namespace cairn::bench {

namespace {

constexpr size_t kIoBytes = 1 << 20;
constexpr double kMiB = 1024.0 * 1024.0;

double Seconds(const std::chrono::steady_clock::time_point& start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<double> WriteThroughMount(const std::string& path, uint64_t size, const std::vector<uint8_t>& payload) {
  const auto start = std::chrono::steady_clock::now();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "open " + path);
  Status st;
  for (uint64_t done = 0; done < size && st.ok();) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size - done, kIoBytes));
    ssize_t w = ::write(fd, payload.data(), n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) st = ErrnoError(errno, "write " + path);
    else done += static_cast<uint64_t>(w);
  }
  if (::close(fd) != 0 && st.ok()) st = ErrnoError(errno, "close " + path);
  RETURN_IF_ERROR(st);
  return Seconds(start);
}

Result<double> ReadThroughMount(const std::string& path, uint64_t size) {
  const auto start = std::chrono::steady_clock::now();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open " + path);
  std::vector<uint8_t> buf(kIoBytes);
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
  RETURN_IF_ERROR(st);
  if (total != size) return IoError("{}: read {} bytes through the mount, expected {}", path, total, size);
  return Seconds(start);
}

Result<double> WriteDirect(client::FileSystem& fs, const std::string& path, uint64_t size,
                           const std::vector<uint8_t>& payload) {
  const auto start = std::chrono::steady_clock::now();
  client::CreateOptions create;
  create.overwrite = true;
  ASSIGN_OR_RETURN(auto out, fs.Create(path, create));
  for (uint64_t done = 0; done < size;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size - done, kIoBytes));
    RETURN_IF_ERROR(out->Write(payload.data(), n));
    done += n;
  }
  RETURN_IF_ERROR(out->Close());
  return Seconds(start);
}

Result<double> ReadDirect(client::FileSystem& fs, const std::string& path, uint64_t size) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(auto in, fs.Open(path));
  std::vector<uint8_t> buf(kIoBytes);
  uint64_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
    if (n == 0) break;
    total += n;
  }
  if (total != size) return IoError("{}: read {} bytes directly, expected {}", path, total, size);
  return Seconds(start);
}

std::string SiblingBinary(const std::string& name) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? name : (self.parent_path() / name).string();
}

void Print(const char* op, uint64_t size, int runs, const std::vector<double>& fuse_times,
           const std::vector<double>& direct_times, const std::string& options) {
  const double seconds = Median(fuse_times), base_seconds = Median(direct_times);
  const double mib_s = seconds > 0 ? static_cast<double>(size) / kMiB / seconds : 0.0;
  const double base_mib_s = base_seconds > 0 ? static_cast<double>(size) / kMiB / base_seconds : 0.0;
  PrintFigure({{"bench", "fuse"},
               {"op", op},
               {"bytes", size},
               {"runs", runs},
               {"mount_options", options},
               {"seconds", seconds},
               {"mib_per_s", mib_s},
               {"baseline", "libcairn streams in one process (same cluster, same run)"},
               {"baseline_seconds", base_seconds},
               {"baseline_mib_per_s", base_mib_s},
               {"ratio", base_mib_s > 0 ? mib_s / base_mib_s : 0.0}});
}

}  // namespace

Status RunFuseBench(const std::vector<std::string>& args, bool* usage_error) {
  CommonArgs common;
  std::string size_text = "1GiB", dir = "/benchmarks/fuse", mount_options, fuse_binary;
  cli::ArgParser p("fuse [--size SIZE] [--dir DIR] [--mount-options OPTS] [options]",
                   "Sequential write and read throughput (MiB/s) through a cairn-fuse mount against libcairn "
                   "directly, in the same run.");
  p.Option("--size", &size_text, "SIZE", "bytes per file, e.g. 1GiB (default 1GiB)")
      .Option("--dir", &dir, "DIR", "cluster directory for the files (default /benchmarks/fuse)")
      .Option("--mount-options", &mount_options, "OPTS", "extra cairn-fuse -o options, e.g. readahead=16MiB")
      .Option("--fuse-binary", &fuse_binary, "PATH", "cairn-fuse to run (default: next to cairn-bench)")
      .Operands(nullptr, 0, 0);
  ASSIGN_OR_RETURN(bool run, common.Parse(p, args, usage_error));
  if (!run) return Status::OK();
  ASSIGN_OR_RETURN(uint64_t size, ParseByteSize(size_text));
  if (size == 0) return InvalidArgument("--size must be positive");
  ASSIGN_OR_RETURN(int runs, common.Runs());
  *usage_error = false;
  RETURN_IF_ERROR(fuse::CheckCanMount());

  ASSIGN_OR_RETURN(std::unique_ptr<client::FileSystem> fs, common.Connect());
  RETURN_IF_ERROR(fs->Mkdirs(dir));
  std::string mountpoint = fmt::format("{}/cairn-bench-fuse-{}", common.LocalDir(), ::getpid());
  std::error_code ec;
  std::filesystem::create_directories(mountpoint, ec);
  if (ec) return ErrnoError(ec.value(), "creating " + mountpoint);
  std::vector<std::string> mount_args{"--namenode", fs->options().namenode, "--fuse_user", fs->user()};
  if (!mount_options.empty()) mount_args.insert(mount_args.end(), {"-o", mount_options});
  const std::string log = mountpoint + ".log";
  auto mount = fuse::FuseMountProcess::Start(fuse_binary.empty() ? SiblingBinary("cairn-fuse") : fuse_binary,
                                             mountpoint, mount_args, log);
  if (!mount.ok()) {
    std::filesystem::remove(mountpoint, ec);
    return mount.status();
  }

  const std::vector<uint8_t> payload = Payload(kIoBytes, 7);
  const std::string fuse_file = JoinPath(dir, "through_mount"), direct_file = JoinPath(dir, "direct");
  const std::string fuse_local = mountpoint + fuse_file;
  std::vector<double> fuse_write, direct_write, fuse_read, direct_read;
  Status st;
  using Phase = std::function<Result<double>()>;
  // One timed phase: settle the machine's dirty pages first, then time fn.
  auto phase = [&](const Phase& fn, std::vector<double>* times) {
    if (!st.ok()) return;
    ::sync();
    auto t = fn();
    if (t.ok()) times->push_back(*t);
    else st = t.status();
  };
  Phase fuse_w = [&] { return WriteThroughMount(fuse_local, size, payload); };
  Phase direct_w = [&] { return WriteDirect(*fs, direct_file, size, payload); };
  Phase fuse_r = [&] { return ReadThroughMount(fuse_local, size); };
  Phase direct_r = [&] { return ReadDirect(*fs, direct_file, size); };
  for (int r = 0; r < runs && st.ok(); ++r) {
    const bool fuse_first = r % 2 == 0;
    phase(fuse_first ? fuse_w : direct_w, fuse_first ? &fuse_write : &direct_write);
    phase(fuse_first ? direct_w : fuse_w, fuse_first ? &direct_write : &fuse_write);
    phase(fuse_first ? fuse_r : direct_r, fuse_first ? &fuse_read : &direct_read);
    phase(fuse_first ? direct_r : fuse_r, fuse_first ? &direct_read : &fuse_read);
  }
  if (!common.keep) {
    (void)fs->Delete(fuse_file, false);
    (void)fs->Delete(direct_file, false);
  }
  Status stopped = (*mount)->Stop();
  mount->reset();
  std::filesystem::remove(mountpoint, ec);
  if (st.ok() && !common.keep) std::filesystem::remove(log, ec);
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(stopped);
  Print("write", size, runs, fuse_write, direct_write, mount_options);
  Print("read", size, runs, fuse_read, direct_read, mount_options);
  return Status::OK();
}

}  // namespace cairn::bench
