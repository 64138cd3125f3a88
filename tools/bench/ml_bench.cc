// ml: built-in ML iterations on the cluster against a single-process implementation
// measured in the same run.
//   cairn-bench ml logreg|kmeans [--rows 2000000] [--features 32] [--iterations 10] [--k 8]
// The data (generated, Cairn ML binary) is written once onto Cairn (untimed) and the same
// rows are held in this process's memory. Each run starts an ML job (its tasks load the
// blocks into the executors' ML workers, next to the data), then times `--iterations`
// full passes: logreg a loss-and-gradient step, kmeans a Lloyd step. Reported: rows per
// second per iteration on the cluster (median of the cached iterations 2..N) and in one
// process over the same rows with the same CPU kernels on every core; the first
// iteration (including the load) against the cached ones; and, where this machine has a
// GPU, the CUDA kernels against the CPU ones in this process.
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "client/job_client.h"
#include "common/flags.h"
#include "common/path.h"
#include "compute/ml/cluster_runner.h"
#include "compute/ml/gen.h"
#include "compute/ml/kernels.h"
#include "compute/ml/step_runner.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/benchmarks.h"

namespace cairn::bench {

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

MlCommand StepFor(const std::string& algorithm, uint32_t f, uint32_t k, const ml::Partition& sample) {
  MlCommand cmd;
  MlModel* m = cmd.add_models();
  m->set_features(f);
  if (algorithm == "logreg") {
    cmd.set_op(MlCommand::LOGREG_GRAD);
    m->set_algorithm("logreg");
    for (uint32_t j = 0; j <= f; ++j) m->add_weights(0.01f * static_cast<float>(j % 7) - 0.03f);
  } else {
    cmd.set_op(MlCommand::KMEANS_STEP);
    m->set_algorithm("kmeans");
    m->set_k(k);
    for (uint32_t c = 0; c < k; ++c) {
      const float* row = sample.row((c * 7919) % sample.rows());
      m->mutable_weights()->Add(row, row + f);
    }
  }
  return cmd;
}

// Times `iterations` steps; returns the seconds of each.
Result<std::vector<double>> TimeSteps(ml::StepRunner& runner, const MlCommand& cmd, int iterations, uint64_t rows) {
  std::vector<double> secs;
  for (int i = 0; i < iterations; ++i) {
    auto t = Clock::now();
    ASSIGN_OR_RETURN(MlPartial p, runner.Run(cmd));
    secs.push_back(Since(t));
    if (p.rows() != rows) return Internal("a step went over {} rows, expected {}", p.rows(), rows);
  }
  return secs;
}

double MedianFrom(const std::vector<double>& v, size_t from) {
  return Median(std::vector<double>(v.begin() + std::min(from, v.size()), v.end()));
}

}  // namespace

Status RunMlBench(const std::vector<std::string>& args, bool* usage_error) {
  CommonArgs common;
  std::string rows_text = "2000000", features_text = "32", iterations_text = "10", k_text = "8",
              dir = "/benchmarks/ml", jobmaster, backend, block_size_text;
  bool regenerate = false;
  std::vector<std::string> operands;
  cli::ArgParser p("ml logreg|kmeans [--rows R] [--features F] [--iterations N] [options]",
                   "Rows per second per ML iteration on the cluster against one process on the same rows; "
                   "cached iterations against the first; GPU against CPU where there is a GPU.");
  p.Option("--rows", &rows_text, "R", "rows (default 2000000)")
      .Option("--features", &features_text, "F", "features (default 32)")
      .Option("--iterations", &iterations_text, "N", "timed iterations per run (default 10)")
      .Option("--k", &k_text, "K", "kmeans: centres (default 8)")
      .Option("--dir", &dir, "DIR", "cluster directory for the data (default /benchmarks/ml)")
      .Option("--jobmaster", &jobmaster, "HOST:PORT", "job master address (default $CAIRN_JOBMASTER)")
      .Option("--backend", &backend, "cpu|cuda", "the cluster workers' kernels (default: automatic)")
      .Option("--block-size", &block_size_text, "SIZE", "block size of the data file (default: the namenode's)")
      .Flag("--regenerate", &regenerate, "write the data again even if it is there")
      .Operands(&operands, 1, 1);
  ASSIGN_OR_RETURN(bool run, common.Parse(p, args, usage_error));
  if (!run) return Status::OK();
  const std::string algorithm = operands[0];
  if (algorithm != "logreg" && algorithm != "kmeans")
    return InvalidArgument("ml benchmarks: logreg or kmeans, not '{}'", algorithm);
  ASSIGN_OR_RETURN(uint64_t rows, cli::ParseCount(rows_text, "--rows", 1ull << 34));
  ASSIGN_OR_RETURN(uint64_t f64, cli::ParseCount(features_text, "--features", 10000));
  ASSIGN_OR_RETURN(uint64_t it64, cli::ParseCount(iterations_text, "--iterations", 100000));
  ASSIGN_OR_RETURN(uint64_t k64, cli::ParseCount(k_text, "--k", 10000));
  if (rows == 0 || f64 == 0 || it64 < 2 || k64 == 0)
    return InvalidArgument("--rows, --features and --k must be positive and --iterations at least 2");
  ASSIGN_OR_RETURN(int runs, common.Runs());
  client::CreateOptions create;
  create.overwrite = true;
  if (!block_size_text.empty()) {
    ASSIGN_OR_RETURN(create.block_size, ParseByteSize(block_size_text));
  }
  *usage_error = false;
  const uint32_t f = static_cast<uint32_t>(f64), k = static_cast<uint32_t>(k64);
  const int iterations = static_cast<int>(it64);

  ml::GenOptions go;
  go.kind = algorithm == "logreg" ? "classification" : "clustering";
  go.rows = rows;
  go.features = f;
  go.clusters = k;
  go.noise = 0.5;
  ASSIGN_OR_RETURN(ml::Generator gen, ml::Generator::Create(go));
  ASSIGN_OR_RETURN(std::unique_ptr<client::FileSystem> fs, common.Connect());
  client::JobClientOptions jopts;
  jopts.jobmaster = jobmaster;
  jopts.user = common.user;
  ASSIGN_OR_RETURN(std::unique_ptr<client::JobClient> jobs, client::JobClient::Connect(jopts));

  // The same rows in memory, for the single-process runs.
  auto whole = std::make_shared<ml::Partition>();
  whole->features = f;
  whole->has_label = true;
  {
    std::vector<float> v;
    gen.RowValues(0, rows, &v);
    whole->x.resize(rows * f);
    whole->y.resize(rows);
    for (uint64_t r = 0; r < rows; ++r) {
      std::copy(v.begin() + r * (f + 1), v.begin() + r * (f + 1) + f, whole->x.begin() + r * f);
      whole->y[r] = v[r * (f + 1) + f];
    }
  }
  const std::string input = JoinPath(dir, fmt::format("{}-{}x{}", go.kind, rows, f));
  if (regenerate || !fs->Stat(input).ok()) {
    std::fprintf(stderr, "writing %llu x %u rows to %s...\n", static_cast<unsigned long long>(rows), f, input.c_str());
    RETURN_IF_ERROR(fs->Mkdirs(dir));
    ASSIGN_OR_RETURN(auto out, fs->Create(input, create));
    std::string buf = gen.Header();
    for (uint64_t first = 0; first < rows; first += ml::Generator::kChunkRows) {
      gen.Rows(first, std::min(ml::Generator::kChunkRows, rows - first), &buf);
      RETURN_IF_ERROR(out->Write(buf.data(), buf.size()));
      buf.clear();
    }
    RETURN_IF_ERROR(out->Close());
  }
  const MlCommand cmd = StepFor(algorithm, f, k, *whole);

  std::vector<double> cluster_cached, cluster_first, local_cpu, gpu;
  JobReport last;
  std::map<std::string, int64_t> counters;
  int partitions = 0;
  std::string gpu_name, gpu_note;
  for (int r = 0; r < runs; ++r) {
    ml::ClusterJobOptions o;
    o.inputs = {input};
    o.format = gen.format();
    o.algorithm = "bench " + algorithm;
    o.backend = backend;
    auto t0 = Clock::now();
    ASSIGN_OR_RETURN(std::unique_ptr<ml::ClusterStepRunner> cluster, ml::ClusterStepRunner::Start(*jobs, o));
    ASSIGN_OR_RETURN(std::vector<double> secs, TimeSteps(*cluster, cmd, iterations, rows));
    (void)t0;
    cluster_first.push_back(cluster->load_seconds() + secs[0]);
    cluster_cached.push_back(MedianFrom(secs, 1));
    counters = cluster->step_counters();
    ASSIGN_OR_RETURN(last, cluster->Finish(true));
    partitions = last.maps_total();

    // One process, the same rows split like the job's partitions, every core.
    ml::LocalStepRunner local(ml::SplitRows(*whole, std::max(1, partitions)), ml::MakeCpuKernels());
    ASSIGN_OR_RETURN(std::vector<double> lsecs, TimeSteps(local, cmd, iterations, rows));
    local_cpu.push_back(MedianFrom(lsecs, 1));

    std::string why;
    auto cuda = ml::MakeCudaKernels(&why);
    if (cuda) {
      gpu_name = cuda->name();
      ml::LocalStepRunner g(ml::SplitRows(*whole, std::max(1, partitions)), std::move(cuda));
      ASSIGN_OR_RETURN(std::vector<double> gsecs, TimeSteps(g, cmd, iterations, rows));
      gpu.push_back(MedianFrom(gsecs, 1));
    } else {
      gpu_note = why;
    }
  }
  const double cached = Median(cluster_cached), first = Median(cluster_first), lcpu = Median(local_cpu);
  const double rr = static_cast<double>(rows);
  nlohmann::json figure = {{"bench", "ml"},
                           {"algorithm", algorithm},
                           {"rows", rows},
                           {"features", f},
                           {"runs", runs},
                           {"iterations", iterations},
                           {"partitions", partitions},
                           {"cluster_first_iteration_seconds", first},
                           {"cluster_cached_iteration_seconds", cached},
                           {"cluster_rows_per_s", cached > 0 ? rr / cached : 0},
                           {"cached_speedup_over_first", cached > 0 ? first / cached : 0},
                           {"local_cpu_baseline", "one process, same CPU kernels, every core"},
                           {"local_cpu_iteration_seconds", lcpu},
                           {"local_cpu_rows_per_s", lcpu > 0 ? rr / lcpu : 0},
                           {"cluster_over_local", cached > 0 ? lcpu / cached : 0},
                           {"data_local_share", ml::DataLocalShare(last)}};
  if (algorithm == "kmeans") figure["k"] = k;
  for (const auto& [name, v] : counters) figure["step_counters"][name] = v;
  if (!gpu.empty()) {
    const double g = Median(gpu);
    figure["gpu"] = gpu_name;
    figure["gpu_iteration_seconds"] = g;
    figure["gpu_rows_per_s"] = g > 0 ? rr / g : 0;
    figure["gpu_over_cpu"] = g > 0 ? lcpu / g : 0;
  } else {
    figure["gpu"] = "none: " + gpu_note;
  }
  if (!common.keep) (void)fs->Delete(input, false);
  PrintFigure(figure);
  return Status::OK();
}

}  // namespace cairn::bench
