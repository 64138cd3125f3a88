// mr: MapReduce job time against single-process baselines measured in the same run.
//   cairn-bench mr wordcount|sort [--size 1GiB] [--runs N] [--reducers N] ...
// The input is generated once (untimed) onto Cairn and into a local file with the same
// bytes. Each run times the job from submission to its end as a client sees it; then the
// baselines run on the local copy: a single-process C++ program (wordcount: the built-in's
// counting core on one thread; sort: in-memory std::sort) and the shell (`tr | sort |
// uniq -c` for wordcount, GNU sort for sort). The shell baseline is slow, so it runs
// --shell-runs times (default 1). Printed: medians, ratios (baseline time / job time: above
// 1 means the job is faster) and the job's data-local share.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "client/job_client.h"
#include "common/flags.h"
#include "common/path.h"
#include "compute/counters.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/benchmarks.h"
#include "tools/bench/mr_data.h"

namespace cairn::bench {

namespace {

Status WriteInput(client::FileSystem& fs, const std::string& dfs_path, const std::string& local_path, bool sort,
                  uint64_t size, const client::CreateOptions& create) {
  ASSIGN_OR_RETURN(auto out, fs.Create(dfs_path, create));
  int fd = ::open(local_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, local_path);
  auto sink = [&](std::string_view chunk) -> Status {
    RETURN_IF_ERROR(out->Write(chunk.data(), chunk.size()));
    const char* p = chunk.data();
    size_t n = chunk.size();
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoError(errno, "write " + local_path);
      p += w;
      n -= static_cast<size_t>(w);
    }
    return Status::OK();
  };
  Status st = sort ? GenerateRecords(size, 1, sink) : GenerateText(size, 1, sink);
  ::close(fd);
  RETURN_IF_ERROR(st);
  return out->Close();
}

}  // namespace

Status RunMrBench(const std::vector<std::string>& args, bool* usage_error) {
  CommonArgs common;
  std::string size_text = "1GiB", dir = "/benchmarks/mr", reducers_text, shell_runs_text = "1", jobmaster,
              replication_text, block_size_text;
  bool regenerate = false;
  std::vector<std::string> operands;
  cli::ArgParser p("mr wordcount|sort [--size SIZE] [--reducers N] [options]",
                   "MapReduce job time against a single-process C++ program and the shell on the same data.");
  p.Option("--size", &size_text, "SIZE", "input bytes (default 1GiB)")
      .Option("--reducers", &reducers_text, "N", "reduce tasks (default: the built-in's)")
      .Option("--dir", &dir, "DIR", "cluster directory for input and output (default /benchmarks/mr)")
      .Option("--jobmaster", &jobmaster, "HOST:PORT", "job master address (default $CAIRN_JOBMASTER)")
      .Option("--shell-runs", &shell_runs_text, "N", "runs of the (slow) shell baseline; 0 skips it (default 1)")
      .Option("--replication", &replication_text, "N", "replication of the input (default: the namenode's)")
      .Option("--block-size", &block_size_text, "SIZE", "block size of the input (default: the namenode's)")
      .Flag("--regenerate", &regenerate, "write the input again even if it is there")
      .Operands(&operands, 1, 1);
  ASSIGN_OR_RETURN(bool run, common.Parse(p, args, usage_error));
  if (!run) return Status::OK();
  const std::string job = operands[0];
  if (job != "wordcount" && job != "sort") return InvalidArgument("mr benchmarks: wordcount or sort, not '{}'", job);
  const bool sort = job == "sort";
  ASSIGN_OR_RETURN(uint64_t size, ParseByteSize(size_text));
  if (size < 1024) return InvalidArgument("--size must be at least 1KiB");
  ASSIGN_OR_RETURN(int runs, common.Runs());
  ASSIGN_OR_RETURN(uint64_t shell_runs, cli::ParseCount(shell_runs_text, "--shell-runs", 100));
  int reducers = -1;
  if (!reducers_text.empty()) {
    ASSIGN_OR_RETURN(uint64_t r, cli::ParseCount(reducers_text, "--reducers", 10000));
    reducers = static_cast<int>(r);
  }
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
  client::JobClientOptions jopts;
  jopts.jobmaster = jobmaster;
  jopts.user = common.user;
  ASSIGN_OR_RETURN(std::unique_ptr<client::JobClient> jobs, client::JobClient::Connect(jopts));

  const std::string input = JoinPath(dir, fmt::format("{}-input-{}", job, size));
  const std::string local_in = fmt::format("{}/cairn-mr-{}-{}", common.LocalDir(), job, size);
  const std::string local_out = fmt::format("{}/cairn-mr-{}-out-{}", common.LocalDir(), job, ::getpid());
  auto existing = fs->Stat(input);
  if (regenerate || !existing.ok() || ::access(local_in.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "generating %s of %s input...\n", FormatByteSize(size).c_str(), job.c_str());
    RETURN_IF_ERROR(fs->Mkdirs(dir));
    RETURN_IF_ERROR(WriteInput(*fs, input, local_in, sort, size, create));
  }
  ASSIGN_OR_RETURN(client::FileStatus in_stat, fs->Stat(input));

  std::vector<double> job_times, cpp_times, shell_times;
  JobReport last;
  for (int r = 0; r < runs; ++r) {
    const std::string output = JoinPath(dir, fmt::format("{}-output-{}", job, ::getpid()));
    (void)fs->Delete(output, true);
    JobSpec spec;
    spec.set_kind(JobSpec::BUILTIN);
    spec.set_builtin(job);
    spec.add_input_paths(input);
    spec.set_output_path(output);
    spec.set_reducers(reducers);
    spec.set_name("cairn-bench " + job);
    auto start = std::chrono::steady_clock::now();
    ASSIGN_OR_RETURN(std::string id, jobs->Submit(spec));
    ASSIGN_OR_RETURN(last, jobs->Wait(id, {}, 100));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (last.state() != JOB_SUCCEEDED) return Aborted("job {} {}: {}", id, last.state(), last.diagnostics());
    job_times.push_back(seconds);
    if (!common.keep) (void)fs->Delete(output, true);
    ASSIGN_OR_RETURN(double cpp, sort ? CppSort(local_in, local_out) : CppWordCount(local_in, local_out));
    cpp_times.push_back(cpp);
    if (static_cast<uint64_t>(r) < shell_runs) {
      std::string cmd = sort ? fmt::format("LC_ALL=C sort -o '{}' '{}'", local_out, local_in)
                             : fmt::format("LC_ALL=C tr -s ' \\t' '\\n\\n' < '{}' | LC_ALL=C sort | uniq -c > '{}'",
                                           local_in, local_out);
      ASSIGN_OR_RETURN(double shell, ShellCommand(cmd));
      shell_times.push_back(shell);
    }
    ::unlink(local_out.c_str());
  }
  if (!common.keep) {
    (void)fs->Delete(input, false);
    ::unlink(local_in.c_str());
  }
  const double job_s = Median(job_times), cpp_s = Median(cpp_times), shell_s = Median(shell_times);
  const int64_t launched = compute::FindCounter(last.counters(), compute::counter::kLaunchedMaps);
  const int64_t local = compute::FindCounter(last.counters(), compute::counter::kDataLocalMaps);
  nlohmann::json figure = {{"bench", "mr"},
                           {"job", job},
                           {"bytes", in_stat.length},
                           {"runs", runs},
                           {"maps", last.maps_total()},
                           {"reduces", last.reduces_total()},
                           {"job_seconds", job_s},
                           {"job_mib_per_s", job_s > 0 ? static_cast<double>(in_stat.length) / (1 << 20) / job_s : 0},
                           {"cpp_baseline", sort ? "single-process C++ in-memory sort" : "single-process C++ wordcount"},
                           {"cpp_seconds", cpp_s},
                           {"cpp_over_job", job_s > 0 ? cpp_s / job_s : 0},
                           {"data_local_share", launched > 0 ? static_cast<double>(local) / launched : 0},
                           {"bytes_read_local", compute::FindCounter(last.counters(), compute::counter::kBytesReadLocal)},
                           {"bytes_read_remote", compute::FindCounter(last.counters(), compute::counter::kBytesReadRemote)}};
  if (!shell_times.empty()) {
    figure["shell_baseline"] = sort ? "LC_ALL=C sort" : "tr | sort | uniq -c";
    figure["shell_seconds"] = shell_s;
    figure["shell_runs"] = shell_times.size();
    figure["shell_over_job"] = job_s > 0 ? shell_s / job_s : 0;
  }
  PrintFigure(figure);
  return Status::OK();
}

}  // namespace cairn::bench
