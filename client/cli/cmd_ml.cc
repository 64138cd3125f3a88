// `cairn ml`: built-in machine learning next to the data (compute/ml/). gen writes a
// synthetic data set; train, evaluate, predict and tune run as ML jobs whose tasks load
// the input's blocks into per-job ML workers on the executors holding them, with this
// process driving the iterations through the job master. Models are files on Cairn.
#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/cli/command.h"
#include "common/flags.h"
#include "common/split.h"
#include "compute/counters.h"
#include "compute/ml/algorithms.h"
#include "compute/ml/cluster_runner.h"
#include "compute/ml/gen.h"
#include "compute/ml/tune.h"

namespace cairn::cli {

namespace {

using nlohmann::json;

Result<double> ParseNumber(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (...) {
  }
  return InvalidArgument("{} must be a number, not '{}'", what, text);
}

std::vector<std::string> Split(const std::string& text, char sep) { return SplitNonEmpty(text, sep); }

// Options every job-running subcommand shares.
struct JobArgs {
  std::string input, backend, gpus, cache;
  bool no_label = false, json = false;

  void Declare(ArgParser& p) {
    p.Option("--input", &input, "PATHS", "comma-separated data files, directories or globs (CSV or Cairn ML binary)")
        .Option("--backend", &backend, "cpu|cuda", "kernel backend (default: CUDA where the task got a GPU)")
        .Option("--gpus", &gpus, "N", "GPUs per task (whole devices), given to the job's ML workers")
        .Option("--cache", &cache, "SIZE", "per executor: parsed partitions kept in memory (default: the executor's)")
        .Flag("--no-label", &no_label, "the data has no label column (k-means only)")
        .Flag("--json", &json, "print the result as JSON");
  }

  Result<ml::ClusterJobOptions> Resolve(CliContext& ctx, const std::string& algorithm) const {
    if (input.empty()) return InvalidArgument("--input is required");
    ml::ClusterJobOptions o;
    o.inputs = Split(input, ',');
    o.algorithm = algorithm;
    o.backend = backend;
    if (!backend.empty() && backend != "cpu" && backend != "cuda")
      return InvalidArgument("--backend must be cpu or cuda, not '{}'", backend);
    if (!gpus.empty()) {
      ASSIGN_OR_RETURN(uint64_t n, ParseCount(gpus, "--gpus", 64));
      o.gpus_per_task = static_cast<uint32_t>(n);
    }
    if (!cache.empty()) {
      ASSIGN_OR_RETURN(o.worker_cache_bytes, ParseByteSize(cache));
    }
    ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
    ASSIGN_OR_RETURN(o.format, ml::DetectInputFormat(*fs, o.inputs[0], !no_label));
    return o;
  }
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string MetricsText(const std::map<std::string, double>& m) {
  std::string s;
  for (const auto& [k, v] : m) {
    if (k == "rows") continue;
    s += fmt::format("{}{} {:.6g}", s.empty() ? "" : ", ", k, v);
  }
  return s;
}

// What every job-running subcommand reports about its job.
json JobSummary(const ml::ClusterStepRunner& runner, const JobReport& report) {
  json j;
  j["job_id"] = report.job_id();
  j["partitions"] = report.maps_total();
  j["load_seconds"] = runner.load_seconds();
  j["data_local_share"] = ml::DataLocalShare(report);
  for (const auto& [k, v] : runner.step_counters()) j["step_counters"][k] = v;
  j["bytes_read_local"] = compute::FindCounter(report.counters(), compute::counter::kBytesReadLocal);
  j["bytes_read_remote"] = compute::FindCounter(report.counters(), compute::counter::kBytesReadRemote);
  return j;
}

std::string JobSummaryText(const ml::ClusterStepRunner& runner, const JobReport& report) {
  auto get = [&](const char* name) {
    auto it = runner.step_counters().find(name);
    return it == runner.step_counters().end() ? int64_t{0} : it->second;
  };
  return fmt::format(
      "job {}: {} partitions loaded in {:.2f} s, {:.0f}% data-local; {} steps: cache hits {}, misses {}\n",
      report.job_id(), report.maps_total(), runner.load_seconds(), 100 * ml::DataLocalShare(report),
      compute::FindCounter(report.counters(), "ml_steps"), get("ml_cache_hits"), get("ml_cache_misses"));
}

// Runs fn on a fresh ML job, ending the job with fn's outcome; returns the job's report.
Result<JobReport> WithJob(CliContext& ctx, const ml::ClusterJobOptions& options,
                          const std::function<Status(ml::ClusterStepRunner&)>& fn,
                          std::unique_ptr<ml::ClusterStepRunner>* keep) {
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  ASSIGN_OR_RETURN(*keep, ml::ClusterStepRunner::Start(*jobs, options));
  Status st = fn(**keep);
  if (!st.ok()) {
    (void)(*keep)->Finish(false, st.ToString());
    return st;
  }
  ASSIGN_OR_RETURN(JobReport report, (*keep)->Finish(true));
  if (report.state() != JOB_SUCCEEDED) return Aborted("ML job {} failed: {}", report.job_id(), report.diagnostics());
  return report;
}

Status Gen(CliContext& ctx, const std::vector<std::string>& args) {
  std::string kind = "classification", rows = "10000", features = "8", clusters = "4", noise = "0", spread = "1",
              seed = "1", format = "bin", block_size, replication;
  bool json_out = false;
  std::vector<std::string> operands;
  ArgParser p("ml gen [--kind classification|regression|clustering] [--rows N] [--features F] PATH",
              "Write a synthetic data set to PATH on Cairn: linearly separable classes (noise flips some), "
              "a linear target with noise, or Gaussian clusters around random centres. The last column is the label.");
  p.Option("--kind", &kind, "KIND", "classification (default), regression or clustering")
      .Option("--rows", &rows, "N", "rows (default 10000)")
      .Option("--features", &features, "F", "features per row (default 8)")
      .Option("--clusters", &clusters, "K", "clustering: number of centres (default 4)")
      .Option("--noise", &noise, "X", "classification/regression: noise added to the target (default 0)")
      .Option("--spread", &spread, "X", "clustering: standard deviation around a centre (default 1)")
      .Option("--seed", &seed, "N", "random seed (default 1)")
      .Option("--format", &format, "bin|csv", "Cairn ML binary (default) or CSV")
      .Option("--block-size", &block_size, "SIZE", "block size of the file")
      .Option("--replication", &replication, "N", "replication of the file")
      .Flag("--json", &json_out, "print what was written, and the planted truth, as JSON")
      .Operands(&operands, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ml::GenOptions o;
  o.kind = kind;
  ASSIGN_OR_RETURN(o.rows, ParseCount(rows, "--rows", 1ull << 40));
  ASSIGN_OR_RETURN(uint64_t f, ParseCount(features, "--features", 100000));
  o.features = static_cast<uint32_t>(f);
  ASSIGN_OR_RETURN(uint64_t k, ParseCount(clusters, "--clusters", 1 << 20));
  o.clusters = static_cast<uint32_t>(k);
  ASSIGN_OR_RETURN(o.noise, ParseNumber(noise, "--noise"));
  ASSIGN_OR_RETURN(o.spread, ParseNumber(spread, "--spread"));
  ASSIGN_OR_RETURN(o.seed, ParseCount(seed, "--seed", ~0ull));
  if (format != "bin" && format != "csv") {
    ctx.set_usage_error();
    return InvalidArgument("--format must be bin or csv");
  }
  o.format = format == "csv" ? MlDataFormat::CSV : MlDataFormat::BINARY;
  auto gen = ml::Generator::Create(o);
  if (!gen.ok()) {
    ctx.set_usage_error();
    return gen.status();
  }
  client::CreateOptions co;
  if (!block_size.empty()) {
    ASSIGN_OR_RETURN(co.block_size, ParseByteSize(block_size));
  }
  if (!replication.empty()) {
    ASSIGN_OR_RETURN(uint64_t r, ParseCount(replication, "--replication", 32767));
    co.replication = static_cast<uint32_t>(r);
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(std::unique_ptr<client::OutputStream> out, fs->Create(operands[0], co));
  std::string buf = gen->Header();
  uint64_t bytes = 0;
  for (uint64_t first = 0; first < o.rows; first += ml::Generator::kChunkRows) {
    gen->Rows(first, std::min(ml::Generator::kChunkRows, o.rows - first), &buf);
    RETURN_IF_ERROR(out->Write(buf.data(), buf.size()));
    bytes += buf.size();
    buf.clear();
  }
  RETURN_IF_ERROR(out->Close());
  if (json_out) {
    json j{{"path", operands[0]}, {"rows", o.rows}, {"features", o.features}, {"bytes", bytes}, {"format", format}, {"kind", kind}};
    if (!gen->truth().weights.empty()) j["weights"] = gen->truth().weights;
    if (!gen->truth().centres.empty()) j["centres"] = gen->truth().centres;
    return ctx.Out(j.dump() + "\n");
  }
  return ctx.Out(fmt::format("wrote {}: {} rows x {} features + label ({}, {})\n", operands[0], o.rows, o.features,
                             format == "csv" ? "CSV" : "binary", FormatByteSize(bytes)));
}

Status Train(CliContext& ctx, const std::vector<std::string>& args) {
  JobArgs ja;
  std::string algorithm, model_path, solver = "lbfgs", iterations, l2, lr, batch, k = "2", init = "kmeans||", seed = "1";
  bool overwrite = false;
  ArgParser p("ml train --algorithm logreg|linreg|kmeans --input PATHS --model PATH [options]",
              "Train a model on data on Cairn, next to the data: the input's blocks are parsed once into the "
              "executors' memory and every iteration runs there. Saves the model to PATH on Cairn.");
  ja.Declare(p);
  p.Option("--algorithm", &algorithm, "NAME", "logreg (logistic regression), linreg (linear) or kmeans")
      .Option("--model", &model_path, "PATH", "where to save the model on Cairn")
      .Option("--solver", &solver, "lbfgs|sgd", "logreg: L-BFGS on the full gradient (default) or mini-batch SGD")
      .Option("--iterations", &iterations, "N", "iterations (logreg default 100, kmeans 50)")
      .Option("--l2", &l2, "X", "L2 penalty (logreg default 1e-4, linreg 0)")
      .Option("--learning-rate", &lr, "X", "sgd: step size (default 1)")
      .Option("--batch-fraction", &batch, "X", "sgd: share of rows per mini-batch (default 0.1)")
      .Option("--k", &k, "K", "kmeans: clusters (default 2)")
      .Option("--init", &init, "kmeans||/kmeans++", "kmeans: seeding (default kmeans||)")
      .Option("--seed", &seed, "N", "random seed")
      .Flag("--overwrite", &overwrite, "replace an existing model file");
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto usage = [&](Status st) {
    ctx.set_usage_error();
    return st;
  };
  if (algorithm != "logreg" && algorithm != "linreg" && algorithm != "kmeans")
    return usage(InvalidArgument("--algorithm must be logreg, linreg or kmeans"));
  if (model_path.empty()) return usage(InvalidArgument("--model is required"));
  ml::LogregOptions lo;
  ml::LinregOptions li;
  ml::KmeansOptions ko;
  lo.solver = solver;
  if (!iterations.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(iterations, "--iterations", 1000000));
    lo.iterations = ko.iterations = static_cast<int>(n);
  }
  if (!l2.empty()) {
    ASSIGN_OR_RETURN(lo.l2, ParseNumber(l2, "--l2"));
    li.l2 = lo.l2;
  }
  if (!lr.empty()) {
    ASSIGN_OR_RETURN(lo.learning_rate, ParseNumber(lr, "--learning-rate"));
  }
  if (!batch.empty()) {
    ASSIGN_OR_RETURN(lo.batch_fraction, ParseNumber(batch, "--batch-fraction"));
  }
  ASSIGN_OR_RETURN(uint64_t kk, ParseCount(k, "--k", 1 << 20));
  ko.k = static_cast<uint32_t>(kk);
  ko.init = init;
  ASSIGN_OR_RETURN(lo.seed, ParseCount(seed, "--seed", ~0ull));
  ko.seed = lo.seed;
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  if (!overwrite && fs->Stat(model_path).ok()) return AlreadyExists("{} exists (--overwrite replaces it)", model_path);
  auto options = ja.Resolve(ctx, algorithm);
  if (!options.ok()) return options.status();
  ml::TrainResult trained;
  std::map<std::string, double> metrics;
  std::unique_ptr<ml::ClusterStepRunner> runner;
  auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(JobReport report, WithJob(ctx, *options, [&](ml::ClusterStepRunner& r) -> Status {
    if (algorithm == "logreg") {
      ASSIGN_OR_RETURN(trained, ml::TrainLogreg(r, lo));
    } else if (algorithm == "linreg") {
      ASSIGN_OR_RETURN(trained, ml::TrainLinreg(r, li));
    } else {
      ASSIGN_OR_RETURN(trained, ml::TrainKmeans(r, ko));
    }
    ASSIGN_OR_RETURN(metrics, ml::Evaluate(r, trained.model));
    return Status::OK();
  }, &runner));
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& [name, v] : metrics) (*trained.model.mutable_metrics())[name] = v;
  *trained.model.mutable_format() = options->format;
  RETURN_IF_ERROR(ml::WriteModel(*fs, model_path, trained.model, overwrite));
  std::vector<double> secs;
  for (const auto& h : trained.history) secs.push_back(h.seconds);
  if (ja.json) {
    json j = JobSummary(*runner, report);
    j["model"] = model_path;
    j["algorithm"] = algorithm;
    j["params"] = trained.model.params();
    j["metrics"] = metrics;
    j["iterations"] = trained.history.size();
    j["steps"] = trained.steps;
    j["step_seconds_median"] = Median(secs);
    j["seconds"] = total;
    return ctx.Out(j.dump() + "\n");
  }
  return ctx.Out(fmt::format("model {} ({}, {} features; {}): {}\n{}{} iterations, {:.4f} s per iteration (median), "
                             "{:.2f} s in all\n",
                             model_path, algorithm, options->format.features(), trained.model.params(),
                             MetricsText(metrics), JobSummaryText(*runner, report), trained.history.size(), Median(secs),
                             total));
}

Status EvaluateCmd(CliContext& ctx, const std::vector<std::string>& args) {
  JobArgs ja;
  std::string model_path;
  ArgParser p("ml evaluate --model PATH --input PATHS [--json]",
              "Score a model on data on Cairn: accuracy and log loss (logreg), RMSE and R² (linreg), inertia (kmeans).");
  ja.Declare(p);
  p.Option("--model", &model_path, "PATH", "the model file on Cairn");
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  if (model_path.empty()) {
    ctx.set_usage_error();
    return InvalidArgument("--model is required");
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(MlModel model, ml::ReadModel(*fs, model_path));
  if (model.algorithm() == "kmeans" && model.format().has_label() == false) ja.no_label = true;
  ASSIGN_OR_RETURN(ml::ClusterJobOptions options, ja.Resolve(ctx, "evaluate " + model.algorithm()));
  std::map<std::string, double> metrics;
  std::unique_ptr<ml::ClusterStepRunner> runner;
  ASSIGN_OR_RETURN(JobReport report, WithJob(ctx, options, [&](ml::ClusterStepRunner& r) -> Status {
    ASSIGN_OR_RETURN(metrics, ml::Evaluate(r, model));
    return Status::OK();
  }, &runner));
  if (ja.json) {
    json j = JobSummary(*runner, report);
    j["model"] = model_path;
    j["metrics"] = metrics;
    return ctx.Out(j.dump() + "\n");
  }
  return ctx.Out(fmt::format("{} on {} ({:.0f} rows): {}\n{}", model_path, ja.input, metrics["rows"],
                             MetricsText(metrics), JobSummaryText(*runner, report)));
}

Status Predict(CliContext& ctx, const std::vector<std::string>& args) {
  JobArgs ja;
  std::string model_path, output;
  ArgParser p("ml predict --model PATH --input PATHS --output DIR",
              "Batch inference next to the data: every partition's predictions are written by the executor "
              "holding it, as DIR/part-m-NNNNN (one line per row: label and probability, value, or cluster).");
  ja.Declare(p);
  p.Option("--model", &model_path, "PATH", "the model file on Cairn")
      .Option("--output", &output, "DIR", "output directory (must not exist)");
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  if (model_path.empty() || output.empty()) {
    ctx.set_usage_error();
    return InvalidArgument("--model and --output are required");
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  ASSIGN_OR_RETURN(MlModel model, ml::ReadModel(*fs, model_path));
  if (model.algorithm() == "kmeans" && !model.format().has_label()) ja.no_label = true;
  ASSIGN_OR_RETURN(ml::ClusterJobOptions options, ja.Resolve(ctx, "predict " + model.algorithm()));
  options.output_path = output;
  uint64_t rows = 0;
  std::unique_ptr<ml::ClusterStepRunner> runner;
  ASSIGN_OR_RETURN(JobReport report, WithJob(ctx, options, [&](ml::ClusterStepRunner& r) -> Status {
    MlCommand cmd;
    cmd.set_op(MlCommand::PREDICT);
    *cmd.add_models() = model;
    cmd.set_output_dir(output);
    ASSIGN_OR_RETURN(MlPartial partial, r.Run(cmd));
    rows = partial.rows();
    return Status::OK();
  }, &runner));
  if (ja.json) {
    json j = JobSummary(*runner, report);
    j["output"] = output;
    j["rows"] = rows;
    return ctx.Out(j.dump() + "\n");
  }
  return ctx.Out(fmt::format("wrote {} predictions under {}\n{}", rows, output, JobSummaryText(*runner, report)));
}

Status TuneCmd(CliContext& ctx, const std::vector<std::string>& args) {
  JobArgs ja;
  std::string algorithm, model_path, folds = "3", grid, random, ranges, solver = "lbfgs", iterations, seed = "1";
  bool overwrite = false;
  ArgParser p("ml tune --algorithm logreg|linreg --input PATHS --model PATH (--grid SPEC | --random N --range SPEC)",
              "Hyper-parameter search with k-fold cross-validation: every trial and fold trains at once in the same "
              "steps over the data cached on the executors. Prints the results table and saves the best setting, "
              "refitted on all rows, to PATH.");
  ja.Declare(p);
  p.Option("--algorithm", &algorithm, "NAME", "logreg or linreg")
      .Option("--model", &model_path, "PATH", "where to save the best model on Cairn")
      .Option("--folds", &folds, "K", "cross-validation folds (default 3)")
      .Option("--grid", &grid, "SPEC", "grid, e.g. 'l2=0,0.01,1;learning_rate=0.1,1'")
      .Option("--random", &random, "N", "random search: N trials drawn from --range")
      .Option("--range", &ranges, "SPEC", "random search ranges, e.g. 'l2=1e-5:1' (log-uniform when positive)")
      .Option("--solver", &solver, "lbfgs|sgd", "logreg solver of every trial")
      .Option("--iterations", &iterations, "N", "logreg iterations per trial (default 50)")
      .Option("--seed", &seed, "N", "random seed")
      .Flag("--overwrite", &overwrite, "replace an existing model file");
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto usage = [&](Status st) {
    ctx.set_usage_error();
    return st;
  };
  if (algorithm != "logreg" && algorithm != "linreg") return usage(InvalidArgument("--algorithm must be logreg or linreg"));
  if (model_path.empty()) return usage(InvalidArgument("--model is required"));
  ml::TuneOptions t;
  t.algorithm = algorithm;
  ASSIGN_OR_RETURN(uint64_t k, ParseCount(folds, "--folds", 100));
  t.folds = static_cast<uint32_t>(k);
  t.logreg.solver = solver;
  t.logreg.iterations = 50;
  if (!iterations.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(iterations, "--iterations", 1000000));
    t.logreg.iterations = static_cast<int>(n);
  }
  ASSIGN_OR_RETURN(uint64_t s, ParseCount(seed, "--seed", ~0ull));
  t.logreg.seed = s;
  if (!grid.empty() == !random.empty()) return usage(InvalidArgument("give either --grid or --random"));
  if (!grid.empty()) {
    std::map<std::string, std::vector<double>> g;
    for (const auto& item : Split(grid, ';')) {
      size_t eq = item.find('=');
      if (eq == std::string::npos) return usage(InvalidArgument("--grid item '{}' is not NAME=V1,V2,...", item));
      for (const auto& v : Split(item.substr(eq + 1), ',')) {
        ASSIGN_OR_RETURN(double x, ParseNumber(v, "a --grid value"));
        g[item.substr(0, eq)].push_back(x);
      }
    }
    t.trials = ml::GridTrials(g);
  } else {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(random, "--random", 10000));
    std::map<std::string, std::pair<double, double>> r;
    for (const auto& item : Split(ranges, ';')) {
      size_t eq = item.find('='), colon = item.find(':');
      if (eq == std::string::npos || colon == std::string::npos || colon < eq)
        return usage(InvalidArgument("--range item '{}' is not NAME=LOW:HIGH", item));
      ASSIGN_OR_RETURN(double lo, ParseNumber(item.substr(eq + 1, colon - eq - 1), "a --range bound"));
      ASSIGN_OR_RETURN(double hi, ParseNumber(item.substr(colon + 1), "a --range bound"));
      r[item.substr(0, eq)] = {lo, hi};
    }
    if (r.empty()) return usage(InvalidArgument("--random needs --range"));
    t.trials = ml::RandomTrials(r, static_cast<int>(n), s);
  }
  for (const auto& trial : t.trials) {
    for (const auto& [name, v] : trial) {
      ml::LogregOptions lo;
      ml::LinregOptions li;
      Status st = ml::ApplyParam(algorithm, name, v, &lo, &li);
      if (!st.ok()) return usage(st);
    }
  }
  ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
  if (!overwrite && fs->Stat(model_path).ok()) return AlreadyExists("{} exists (--overwrite replaces it)", model_path);
  ASSIGN_OR_RETURN(ml::ClusterJobOptions options, ja.Resolve(ctx, "tune " + algorithm));
  ml::TuneResult result;
  std::unique_ptr<ml::ClusterStepRunner> runner;
  auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(JobReport report, WithJob(ctx, options, [&](ml::ClusterStepRunner& r) -> Status {
    ASSIGN_OR_RETURN(result, ml::Tune(r, t));
    return Status::OK();
  }, &runner));
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  *result.refit.model.mutable_format() = options.format;
  RETURN_IF_ERROR(ml::WriteModel(*fs, model_path, result.refit.model, overwrite));
  if (ja.json) {
    json j = JobSummary(*runner, report);
    j["model"] = model_path;
    j["best"] = result.best;
    j["steps"] = result.steps;
    j["seconds"] = total;
    for (const auto& tr : result.trials)
      j["trials"].push_back({{"params", tr.params}, {"metric", tr.metric}, {"mean", tr.mean}, {"stddev", tr.stddev},
                             {"accuracy", tr.accuracy}});
    return ctx.Out(j.dump() + "\n");
  }
  return ctx.Out(fmt::format("{}best: trial {} ({}), saved to {}\n{}{} trials x {} folds in {} steps, {:.2f} s\n",
                             ml::FormatTuneTable(result), result.best + 1, result.refit.model.params(), model_path,
                             JobSummaryText(*runner, report), t.trials.size(), t.folds, result.steps, total));
}

Status Ml(CliContext& ctx, const std::vector<std::string>& args) {
  static const char* kUsage =
      "usage: cairn ml gen [--kind classification|regression|clustering] [--rows N] [--features F] PATH\n"
      "       cairn ml train --algorithm logreg|linreg|kmeans --input PATHS --model PATH [options]\n"
      "       cairn ml evaluate --model PATH --input PATHS [--json]\n"
      "       cairn ml predict --model PATH --input PATHS --output DIR\n"
      "       cairn ml tune --algorithm logreg|linreg --input PATHS --model PATH --grid SPEC | --random N --range SPEC\n"
      "Jobs run on the executors next to the data; the job master comes from --jobmaster or $CAIRN_JOBMASTER.\n";
  return RunSubcommand(ctx, args, kUsage,
                       {{"gen", Gen}, {"train", Train}, {"evaluate", EvaluateCmd}, {"predict", Predict}, {"tune", TuneCmd}});
}

}  // namespace

void AddMlCommands(std::vector<Command>* commands) {
  commands->push_back({"ml", "machine learning next to the data: gen, train, evaluate, predict, tune", Ml});
}

}  // namespace cairn::cli
