// nn: namenode operations per second, T client threads each doing its share of --ops
// operations, through libcairn (a FileSystem per thread, on the door --namenode names) or, with --in-process,
// on the namenode's handlers called directly (no RPC; see nn_targets.h):
//   create       create + complete of an empty file (what `touch` costs)
//   mkdirs       one new directory
//   getFileInfo  stat of an existing file
//   delete       delete of an existing empty file (the files are made first, untimed)
//   listing      the first getListing page of a directory of 100 files
// Scale mode (--preload N): N files are loaded first (1,000 per directory, untimed but
// reported: files/s), the timed operations then run beside them (getFileInfo stats
// preloaded files spread over the whole set), and the namenode's resident-memory growth
// per preloaded file is reported (in process, or with --namenode-pid on this machine); in
// process, the time to load the namespace again after a restart is reported too.
// Baseline: the same operations on the local file system under --local-dir with the same
// threads (creat+close, mkdir, stat, unlink; no fsync) — "local posix (no fsync)". The
// namenode makes every mutation durable (synced WAL) before answering.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <cerrno>
#include <filesystem>

#include "common/clock.h"
#include "common/path.h"
#include "common/process_memory.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/benchmarks.h"
#include "tools/bench/nn_targets.h"

namespace cairn::bench {

namespace {

using Op = NnOp;

Result<Op> ParseOp(const std::string& name) {
  if (name == "create") return Op::kCreate;
  if (name == "mkdirs") return Op::kMkdirs;
  if (name == "getFileInfo") return Op::kGetFileInfo;
  if (name == "delete") return Op::kDelete;
  if (name == "listing") return Op::kListing;
  return InvalidArgument("unknown --op '{}' (create, mkdirs, getFileInfo, delete or listing)", name);
}

constexpr uint64_t kListingEntries = 100;  // files in each directory the listing op pages
constexpr uint64_t kPreloadPerDir = 1000;  // preloaded files per directory

std::string PreloadPath(const std::string& root, uint64_t i) {
  return fmt::format("{}/d{:06}/f{:04}", root, i / kPreloadPerDir, i % kPreloadPerDir);
}

// The file or directory operation i of a thread acts on. With a preload, getFileInfo
// stats preloaded files spread over the whole set (a stride prime to any count).
std::string OpPath(Op op, const std::string& dir, uint64_t i, const std::string& preload_root, uint64_t preloaded, int t) {
  if (op == Op::kListing) return dir;
  if (op == Op::kGetFileInfo) {
    if (preloaded == 0) return JoinPath(dir, "n0");
    return PreloadPath(preload_root, (i * 7919 + static_cast<uint64_t>(t) * 104729) % preloaded);
  }
  return JoinPath(dir, fmt::format("n{}", i));
}

Status LocalOp(Op op, const std::string& dir, uint64_t i) {
  const std::string path = fmt::format("{}/n{}", dir, i);
  switch (op) {
    case Op::kCreate: {
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) return ErrnoError(errno, path);
      ::close(fd);
      return Status::OK();
    }
    case Op::kMkdirs: return ::mkdir(path.c_str(), 0755) == 0 ? Status::OK() : ErrnoError(errno, path);
    case Op::kGetFileInfo: {
      struct stat sb {};
      std::string first = dir + "/n0";
      return ::stat(first.c_str(), &sb) == 0 ? Status::OK() : ErrnoError(errno, first);
    }
    case Op::kDelete: return ::unlink(path.c_str()) == 0 ? Status::OK() : ErrnoError(errno, path);
    case Op::kListing: {
      DIR* d = ::opendir(dir.c_str());
      if (d == nullptr) return ErrnoError(errno, dir);
      while (::readdir(d) != nullptr) {
      }
      ::closedir(d);
      return Status::OK();
    }
  }
  return Internal("unknown op");
}

// What must exist before the timed operations: the per-thread directory and, for
// getFileInfo and delete, the files they act on.
Status Prepare(Op op, NnTarget& target, int t, const std::string& dir, const std::string& local, uint64_t count) {
  RETURN_IF_ERROR(target.Mkdirs(t, dir));
  std::error_code ec;
  std::filesystem::create_directories(local, ec);
  if (ec) return ErrnoError(ec.value(), "creating " + local);
  const uint64_t files = op == Op::kDelete ? count : op == Op::kGetFileInfo ? 1 : op == Op::kListing ? kListingEntries : 0;
  for (uint64_t i = 0; i < files; ++i) {
    RETURN_IF_ERROR(target.Do(Op::kCreate, t, JoinPath(dir, fmt::format("n{}", i))));
    RETURN_IF_ERROR(LocalOp(Op::kCreate, local, i));
  }
  return Status::OK();
}

// Loads `count` files under root, 1,000 per directory, the directories shared out to the
// threads; returns the seconds it took.
Result<double> Preload(NnTarget& target, int threads, const std::string& root, uint64_t count) {
  const uint64_t dirs = (count + kPreloadPerDir - 1) / kPreloadPerDir;
  return RunParallel(threads, [&](int t) -> Status {
           for (uint64_t d = static_cast<uint64_t>(t); d < dirs; d += static_cast<uint64_t>(threads)) {
             RETURN_IF_ERROR(target.Mkdirs(t, fmt::format("{}/d{:06}", root, d)));
             for (uint64_t i = d * kPreloadPerDir; i < std::min(count, (d + 1) * kPreloadPerDir); ++i)
               RETURN_IF_ERROR(target.Do(Op::kCreate, t, PreloadPath(root, i)));
           }
           return Status::OK();
         });
}

}  // namespace

Status RunNnBench(const std::vector<std::string>& args, bool* usage_error) {
  CommonArgs common;
  std::string op_text, threads_text = "8", ops_text = "10000", dir = "/benchmarks/nn";
  std::string preload_text = "0", pid_text = "0";
  bool in_process = false;
  cli::ArgParser p("nn --op create|getFileInfo|mkdirs|delete|listing [--threads T] [--ops N] [--preload N] [options]",
                   "Namenode operations per second against the same operations on the local file system.");
  p.Option("--op", &op_text, "OP", "create, getFileInfo, mkdirs, delete or listing (first page of a 100-file directory)")
      .Option("--threads", &threads_text, "T", "client threads, each with its own connection (default 8)")
      .Option("--ops", &ops_text, "N", "operations per run, shared by the threads (default 10000)")
      .Option("--dir", &dir, "DIR", "cluster directory to work in (default /benchmarks/nn)")
      .Flag("--in-process", &in_process,
            "call the namenode's handlers in this process on a fresh namespace under --local-dir (no RPC)")
      .Option("--preload", &preload_text, "N",
              "scale mode: load N files first (untimed; 1,000 per directory) and run beside them")
      .Option("--namenode-pid", &pid_text, "PID",
              "with --preload on a namenode on this machine: its pid, to report resident bytes per file")
      .Operands(nullptr, 0, 0);
  ASSIGN_OR_RETURN(bool run, common.Parse(p, args, usage_error));
  if (!run) return Status::OK();
  if (op_text.empty()) return InvalidArgument("--op is required");
  ASSIGN_OR_RETURN(Op op, ParseOp(op_text));
  ASSIGN_OR_RETURN(uint64_t threads64, cli::ParseCount(threads_text, "--threads", 1024));
  ASSIGN_OR_RETURN(uint64_t ops, cli::ParseCount(ops_text, "--ops", 100000000));
  if (threads64 == 0 || ops == 0) return InvalidArgument("--threads and --ops must be at least 1");
  ASSIGN_OR_RETURN(uint64_t preload, cli::ParseCount(preload_text, "--preload", 1000000000));
  ASSIGN_OR_RETURN(uint64_t pid64, cli::ParseCount(pid_text, "--namenode-pid", 1u << 30));
  ASSIGN_OR_RETURN(int runs, common.Runs());
  *usage_error = false;
  const int threads = static_cast<int>(threads64);

  const std::string local_root = fmt::format("{}/cairn-nnbench-{}", common.LocalDir(), ::getpid());
  std::unique_ptr<NnTarget> target;
  if (in_process) {
    ASSIGN_OR_RETURN(target, OpenInProcessTarget(local_root + "/namenode"));
  } else {
    ASSIGN_OR_RETURN(target, ConnectClientTarget(common, threads));
  }
  // Scale mode: the namespace holds `preload` files before anything is timed.
  const std::string preload_root = JoinPath(dir, "preload");
  const pid_t nn_pid = in_process ? ::getpid() : static_cast<pid_t>(pid64);
  double preload_seconds = 0, restart_seconds = 0;
  double bytes_per_file = 0, bytes_per_file_restarted = 0;
  if (preload > 0) {
    (void)target->RemoveTree(preload_root);
    const uint64_t rss_before = ResidentBytes(nn_pid);
    ASSIGN_OR_RETURN(preload_seconds, Preload(*target, threads, preload_root, preload));
    const uint64_t rss_after = ResidentBytes(nn_pid);
    if (rss_before > 0 && rss_after > rss_before)
      bytes_per_file = static_cast<double>(rss_after - rss_before) / static_cast<double>(preload);
    if (in_process) {
      const int64_t restart_start = MonotonicMillis();
      RETURN_IF_ERROR(target->Restart());
      restart_seconds = static_cast<double>(MonotonicMillis() - restart_start) / 1000.0;
      const uint64_t rss_restarted = ResidentBytes(nn_pid);
      if (rss_before > 0 && rss_restarted > rss_before)
        bytes_per_file_restarted = static_cast<double>(rss_restarted - rss_before) / static_cast<double>(preload);
    }
  }
  std::vector<double> dfs_times, base_times;
  for (int r = 0; r < runs; ++r) {
    const std::string run_dir = JoinPath(dir, fmt::format("run{}", r));
    const std::string local_run = fmt::format("{}/run{}", local_root, r);
    auto thread_dir = [&](int t) { return JoinPath(run_dir, fmt::format("t{}", t)); };
    auto local_dir = [&](int t) { return fmt::format("{}/t{}", local_run, t); };
    (void)target->RemoveTree(run_dir);
    RETURN_IF_ERROR(RunParallel(threads, [&](int t) {
                      return Prepare(op, *target, t, thread_dir(t), local_dir(t), ShareOf(ops, threads, t));
                    }).status());
    ASSIGN_OR_RETURN(double t_dfs, RunParallel(threads, [&](int t) -> Status {
                       for (uint64_t i = 0; i < ShareOf(ops, threads, t); ++i)
                         RETURN_IF_ERROR(target->Do(op, t, OpPath(op, thread_dir(t), i, preload_root, preload, t)));
                       return Status::OK();
                     }));
    ASSIGN_OR_RETURN(double t_base, RunParallel(threads, [&](int t) -> Status {
                       for (uint64_t i = 0; i < ShareOf(ops, threads, t); ++i)
                         RETURN_IF_ERROR(LocalOp(op, local_dir(t), i));
                       return Status::OK();
                     }));
    dfs_times.push_back(t_dfs);
    base_times.push_back(t_base);
    if (!common.keep) (void)target->RemoveTree(run_dir);
  }
  if (!common.keep) (void)target->RemoveTree(dir);
  const std::string door = target->Describe();
  target.reset();  // an in-process namenode closes its store before its directory goes
  if (!common.keep) {
    std::error_code ec;
    std::filesystem::remove_all(local_root, ec);
  }
  const double seconds = Median(dfs_times), base_seconds = Median(base_times);
  const double ops_s = seconds > 0 ? static_cast<double>(ops) / seconds : 0.0;
  const double base_ops_s = base_seconds > 0 ? static_cast<double>(ops) / base_seconds : 0.0;
  nlohmann::json figure = {{"bench", "nn"},
                           {"op", op_text},
                           {"door", door},
                           {"threads", threads},
                           {"ops", ops},
                           {"runs", runs},
                           {"seconds", seconds},
                           {"ops_per_s", ops_s},
                           {"baseline", "local posix (no fsync)"},
                           {"baseline_seconds", base_seconds},
                           {"baseline_ops_per_s", base_ops_s},
                           {"ratio", base_ops_s > 0 ? ops_s / base_ops_s : 0.0}};
  if (preload > 0) {
    figure["preload_files"] = preload;
    figure["preload_seconds"] = preload_seconds;
    figure["preload_files_per_s"] = preload_seconds > 0 ? static_cast<double>(preload) / preload_seconds : 0.0;
    if (bytes_per_file > 0) figure["namenode_rss_growth_bytes_per_file"] = bytes_per_file;
    if (in_process) {
      figure["restart_seconds"] = restart_seconds;
      if (bytes_per_file_restarted > 0) figure["namenode_rss_growth_bytes_per_file_after_restart"] = bytes_per_file_restarted;
    }
  }
  PrintFigure(figure);
  return Status::OK();
}

}  // namespace cairn::bench
