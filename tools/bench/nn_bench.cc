// nn: namenode operations per second, T client threads each doing its share of --ops
// operations, through libcairn (a FileSystem per thread, on the door --namenode names) or, with --in-process,
// on the namenode's handlers called directly (no RPC; see nn_targets.h):
//   create       create + complete of an empty file (what `touch` costs)
//   mkdirs       one new directory
//   getFileInfo  stat of an existing file
//   delete       delete of an existing empty file (the files are made first, untimed)
// Baseline: the same operations on the local file system under --local-dir with the same
// threads (creat+close, mkdir, stat, unlink; no fsync) — "local posix (no fsync)". The
// namenode makes every mutation durable (synced WAL) before answering.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/path.h"
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
  return InvalidArgument("unknown --op '{}' (create, mkdirs, getFileInfo or delete)", name);
}

std::string OpPath(Op op, const std::string& dir, uint64_t i) {
  return JoinPath(dir, op == Op::kGetFileInfo ? std::string("n0") : fmt::format("n{}", i));
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
  const uint64_t files = op == Op::kDelete ? count : (op == Op::kGetFileInfo ? 1 : 0);
  for (uint64_t i = 0; i < files; ++i) {
    RETURN_IF_ERROR(target.Do(Op::kCreate, t, JoinPath(dir, fmt::format("n{}", i))));
    RETURN_IF_ERROR(LocalOp(Op::kCreate, local, i));
  }
  return Status::OK();
}

}  // namespace

Status RunNnBench(const std::vector<std::string>& args, bool* usage_error) {
  CommonArgs common;
  std::string op_text, threads_text = "8", ops_text = "10000", dir = "/benchmarks/nn";
  bool in_process = false;
  cli::ArgParser p("nn --op create|getFileInfo|mkdirs|delete [--threads T] [--ops N] [options]",
                   "Namenode operations per second against the same operations on the local file system.");
  p.Option("--op", &op_text, "OP", "create, getFileInfo, mkdirs or delete")
      .Option("--threads", &threads_text, "T", "client threads, each with its own connection (default 8)")
      .Option("--ops", &ops_text, "N", "operations per run, shared by the threads (default 10000)")
      .Option("--dir", &dir, "DIR", "cluster directory to work in (default /benchmarks/nn)")
      .Flag("--in-process", &in_process,
            "call the namenode's handlers in this process on a fresh namespace under --local-dir (no RPC)")
      .Operands(nullptr, 0, 0);
  ASSIGN_OR_RETURN(bool run, common.Parse(p, args, usage_error));
  if (!run) return Status::OK();
  if (op_text.empty()) return InvalidArgument("--op is required");
  ASSIGN_OR_RETURN(Op op, ParseOp(op_text));
  ASSIGN_OR_RETURN(uint64_t threads64, cli::ParseCount(threads_text, "--threads", 1024));
  ASSIGN_OR_RETURN(uint64_t ops, cli::ParseCount(ops_text, "--ops", 100000000));
  if (threads64 == 0 || ops == 0) return InvalidArgument("--threads and --ops must be at least 1");
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
                         RETURN_IF_ERROR(target->Do(op, t, OpPath(op, thread_dir(t), i)));
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
  PrintFigure({{"bench", "nn"},
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
               {"ratio", base_ops_s > 0 ? ops_s / base_ops_s : 0.0}});
  return Status::OK();
}

}  // namespace cairn::bench
