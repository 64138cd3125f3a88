// `cairn job`: MapReduce and gang jobs through the job master — submit, status, wait, list,
// kill, logs. A job's outcome is the exit code of `job wait` and `job submit --wait`: 0 when it
// succeeded, 1 otherwise (with the job's diagnostics on stderr).
#include <unistd.h>

#include <random>
#include <thread>

#include <fmt/format.h>

#include "client/cli/command.h"
#include "client/cli/job_format.h"
#include "common/clock.h"
#include "common/flags.h"
#include "common/parse_number.h"
#include "common/split.h"

namespace cairn::cli {

namespace {

std::vector<std::string> SplitList(const std::string& text) { return SplitNonEmpty(text, ','); }

Status JobOutcome(const JobReport& job) {
  if (job.state() == JOB_SUCCEEDED) return Status::OK();
  return Aborted("job {} {}{}{}", job.job_id(), job.state() == JOB_KILLED ? "was killed" : "failed",
                 job.diagnostics().empty() ? "" : ": ", job.diagnostics());
}

// Follows a job to its end, redrawing the progress line on a terminal.
Status WaitFor(CliContext& ctx, client::JobClient& jobs, const std::string& id, bool json) {
  const bool tty = ::isatty(2) == 1;
  std::string last;
  ASSIGN_OR_RETURN(JobReport final, jobs.Wait(id, [&](const JobReport& r) {
    std::string line = JobProgressLine(r);
    if (tty && line != last) {
      std::fprintf(stderr, "\r%s", line.c_str());
      std::fflush(stderr);
      last = line;
    }
  }));
  if (tty) {
    std::fprintf(stderr, "\r%s\n", JobProgressLine(final).c_str());
  }
  RETURN_IF_ERROR(json ? ctx.Out(JobToJson(final).dump() + "\n") : ctx.Out(JobStatusText(final)));
  return JobOutcome(final);
}

// "2" asks for two whole GPUs, "0.25" for a quarter of one device.
Status ParseGpus(const std::string& text, const std::string& flag, ComputeResources* r) {
  double value = 0;
  if (!ParseWholeNumber(text, &value) || !(value > 0))
    return InvalidArgument("{} must be a number of GPUs or a fraction of one, like 2 or 0.25, not '{}'", flag, text);
  if (value < 1) {
    r->set_gpu_fraction(value);
  } else if (value == static_cast<double>(static_cast<uint32_t>(value)) && value <= 4096) {
    r->set_gpus(static_cast<uint32_t>(value));
  } else {
    return InvalidArgument("{} takes whole GPUs or a fraction below 1 of one device, not {}", flag, text);
  }
  return Status::OK();
}

Status Submit(CliContext& ctx, const std::vector<std::string>& args) {
  std::string input, output, reducers, mapper, reducer, combiner, files, plugin, params, format, memory, slots,
      attempts, timeout, replication, sort_buffer, name, gang, command, gpus, gpus_per_worker, max_restarts;
  bool wait = false, json = false, no_speculation = false;
  std::vector<std::string> operands;
  ArgParser p("job submit [wordcount|grep PATTERN|sort|distinct] --input PATHS --output PATH [options]\n"
              "       job submit --gang N --command CMD [--gpus-per-worker G] [--input PATHS] [--output PATH]",
              "Submit a MapReduce job: a built-in, a streaming job (--mapper/--reducer commands) or a plugin "
              "(--plugin lib.so); or a gang job: N copies of CMD started together next to their input shards "
              "(RANK, WORLD_SIZE, MASTER_ADDR, ... in their environment). Prints the job id; with --wait, "
              "follows it and exits 0 only if it succeeds.");
  p.Option("--input", &input, "PATHS", "comma-separated input files, directories or globs")
      .Option("--output", &output, "PATH", "output directory (must not exist)")
      .Option("--reducers", &reducers, "N", "reduce tasks (0: map output is the job's output)")
      .Option("--mapper", &mapper, "CMD", "streaming: the map command")
      .Option("--reducer", &reducer, "CMD", "streaming: the reduce command (default: pass map output through)")
      .Option("--combiner", &combiner, "CMD", "streaming: a combine command run on map output")
      .Option("--files", &files, "F,...", "local files copied into every task's working directory")
      .Option("--plugin", &plugin, "LIB.so", "a local shared library implementing cairn/mapreduce.h")
      .Option("--param", &params, "K=V,...", "job parameters (plugins read them; streaming gets them as env)")
      .Option("--format", &format, "text|fixed:N", "input records: lines (default) or N-byte records")
      .Option("--memory", &memory, "SIZE", "memory per task (its limit), e.g. 512MiB")
      .Option("--slots", &slots, "N", "CPU slots per task (default 1)")
      .Option("--max-attempts", &attempts, "N", "attempts per task before the job fails")
      .Option("--task-timeout", &timeout, "SECONDS", "an attempt running longer is killed")
      .Option("--output-replication", &replication, "N", "replication of the output files")
      .Option("--sort-buffer", &sort_buffer, "SIZE", "map-side sort buffer")
      .Option("--name", &name, "NAME", "the job's name")
      .Option("--gpus", &gpus, "G", "GPUs per task: whole devices (2) or a share of one (0.25)")
      .Option("--gang", &gang, "N", "gang job: N workers running --command, all started together or none")
      .Option("--command", &command, "CMD", "gang job: the workers' shell command")
      .Option("--gpus-per-worker", &gpus_per_worker, "G", "gang job: GPUs per worker (whole, or a share like 0.5)")
      .Option("--max-restarts", &max_restarts, "N", "gang job: whole-gang restarts after a worker fails")
      .Flag("--no-speculation", &no_speculation, "never start backup attempts for slow tasks")
      .Flag("--wait", &wait, "wait for the job, showing progress; exit code = outcome")
      .Flag("--json", &json, "with --wait: print the final status as JSON")
      .Operands(&operands, 0);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  auto usage = [&](Status st) {
    ctx.set_usage_error();
    return st;
  };
  JobSpec spec;
  const bool is_gang = !gang.empty() || !command.empty();
  if (is_gang) {
    if (gang.empty() || command.empty()) return usage(InvalidArgument("a gang job needs both --gang N and --command CMD"));
    if (!operands.empty() || !mapper.empty() || !plugin.empty() || !reducer.empty() || !combiner.empty())
      return usage(InvalidArgument("--gang excludes a built-in name, --mapper, --reducer, --combiner and --plugin"));
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(gang, "--gang", 10000));
    if (n == 0) return usage(InvalidArgument("--gang needs at least one worker"));
    spec.set_kind(JobSpec::GANG);
    spec.set_gang_workers(static_cast<uint32_t>(n));
    spec.set_gang_command(command);
    if (!max_restarts.empty()) {
      ASSIGN_OR_RETURN(uint64_t k, ParseCount(max_restarts, "--max-restarts", 1000));
      spec.set_gang_max_restarts(static_cast<int32_t>(k));
    }
  } else if (!gpus_per_worker.empty() || !max_restarts.empty()) {
    return usage(InvalidArgument("--gpus-per-worker and --max-restarts are for gang jobs (--gang N); tasks take --gpus"));
  }
  if (!gpus.empty() && !gpus_per_worker.empty()) return usage(InvalidArgument("give --gpus or --gpus-per-worker, not both"));
  if (!gpus.empty() || !gpus_per_worker.empty()) {
    const bool per_worker = !gpus_per_worker.empty();
    Status st = ParseGpus(per_worker ? gpus_per_worker : gpus, per_worker ? "--gpus-per-worker" : "--gpus",
                          spec.mutable_task_resources());
    if (!st.ok()) return usage(st);
  }
  if (is_gang) {
    // Built-in, streaming and plugin choices below do not apply.
  } else if (!plugin.empty()) {
    if (!operands.empty() || !mapper.empty()) return usage(InvalidArgument("--plugin excludes a built-in name and --mapper"));
    spec.set_kind(JobSpec::PLUGIN);
  } else if (!mapper.empty()) {
    if (!operands.empty()) return usage(InvalidArgument("--mapper excludes a built-in name"));
    spec.set_kind(JobSpec::STREAMING);
    spec.set_mapper_command(mapper);
    spec.set_reducer_command(reducer);
    spec.set_combiner_command(combiner);
  } else {
    if (operands.empty()) return usage(InvalidArgument("name a built-in (wordcount, grep, sort, distinct), or give --mapper or --plugin"));
    if (!reducer.empty() || !combiner.empty()) return usage(InvalidArgument("--reducer and --combiner need --mapper"));
    spec.set_kind(JobSpec::BUILTIN);
    spec.set_builtin(operands[0]);
    for (size_t i = 1; i < operands.size(); ++i) spec.add_builtin_args(operands[i]);
  }
  if (input.empty() && !is_gang) return usage(InvalidArgument("--input is required"));
  if (output.empty() && !is_gang) return usage(InvalidArgument("--output is required"));
  for (const auto& in : SplitList(input)) spec.add_input_paths(in);
  spec.set_output_path(output);
  spec.set_name(name);
  if (!reducers.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(reducers, "--reducers", 100000));
    spec.set_reducers(static_cast<int>(n));
  }
  if (!format.empty()) {
    if (format == "text") {
      spec.set_input_format(JobSpec::TEXT);
    } else if (format.rfind("fixed:", 0) == 0) {
      ASSIGN_OR_RETURN(uint64_t n, ParseCount(format.substr(6), "--format fixed:N", 1 << 20));
      if (n == 0) return usage(InvalidArgument("--format fixed:N needs N > 0"));
      spec.set_input_format(JobSpec::FIXED);
      spec.set_record_bytes(static_cast<uint32_t>(n));
    } else {
      return usage(InvalidArgument("--format must be text or fixed:N, not '{}'", format));
    }
  }
  for (const auto& kv : SplitList(params)) {
    if (kv.find('=') == std::string::npos) return usage(InvalidArgument("--param '{}' is not NAME=VALUE", kv));
    spec.add_param_entries(kv);
  }
  if (!memory.empty()) {
    ASSIGN_OR_RETURN(uint64_t bytes, ParseByteSize(memory));
    spec.mutable_task_resources()->set_memory_bytes(bytes);
  }
  if (!slots.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(slots, "--slots", 1024));
    spec.mutable_task_resources()->set_cpu_slots(static_cast<uint32_t>(n));
  }
  if (!attempts.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(attempts, "--max-attempts", 100));
    if (n == 0) return usage(InvalidArgument("--max-attempts must be at least 1"));
    spec.set_max_attempts(static_cast<uint32_t>(n));
  }
  if (!timeout.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(timeout, "--task-timeout", 365ull * 86400));
    spec.set_task_timeout_ms(n * 1000);
  }
  if (!replication.empty()) {
    ASSIGN_OR_RETURN(uint64_t n, ParseCount(replication, "--output-replication", 512));
    spec.set_output_replication(static_cast<uint32_t>(n));
  }
  if (!sort_buffer.empty()) {
    ASSIGN_OR_RETURN(uint64_t bytes, ParseByteSize(sort_buffer));
    spec.set_sort_buffer_bytes(bytes);
  }
  spec.set_speculative(!no_speculation);

  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  // Local files the tasks need go to a staging directory on Cairn first.
  std::vector<std::string> local = SplitList(files);
  if (!plugin.empty()) local.push_back(plugin);
  if (!local.empty()) {
    ASSIGN_OR_RETURN(client::FileSystem * fs, ctx.fs());
    std::random_device rd;
    std::string staging = fmt::format("/tmp/cairn-staging/{}/{}-{:08x}", jobs->user(), WallMillis(), rd());
    ASSIGN_OR_RETURN(std::vector<std::string> staged, client::JobClient::StageFiles(*fs, local, staging));
    spec.set_staging_dir(staging);
    if (!plugin.empty()) {
      spec.set_plugin_path(staged.back());
      staged.pop_back();
    }
    for (const auto& s : staged) spec.add_files(s);
  }
  ASSIGN_OR_RETURN(std::string id, jobs->Submit(spec));
  if (!wait) return ctx.Out(id + "\n");
  if (!json) RETURN_IF_ERROR(ctx.Out(id + "\n"));
  return WaitFor(ctx, *jobs, id, json);
}

Status StatusCmd(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false, tasks = false;
  std::vector<std::string> ids;
  ArgParser p("job status JOB_ID [--json] [--tasks]", "A job's state, progress, counters and data-local share.");
  p.Flag("--json", &json, "print one JSON document").Flag("--tasks", &tasks, "include every task and attempt")
      .Operands(&ids, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  ASSIGN_OR_RETURN(JobReport r, jobs->Status(ids[0], tasks));
  return json ? ctx.Out(JobToJson(r).dump() + "\n") : ctx.Out(JobStatusText(r));
}

Status WaitCmd(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false;
  std::vector<std::string> ids;
  ArgParser p("job wait JOB_ID [--json]",
              "Wait for a job to end (progress bars on a terminal); exit code 0 only if it succeeded.");
  p.Flag("--json", &json, "print the final status as JSON").Operands(&ids, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  return WaitFor(ctx, *jobs, ids[0], json);
}

Status ListCmd(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false, running = false;
  ArgParser p("job list [--running] [--json]", "Jobs, newest first.");
  p.Flag("--running", &running, "only jobs still running").Flag("--json", &json, "print a JSON array")
      .Operands(nullptr, 0, 0);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  ASSIGN_OR_RETURN(std::vector<JobReport> list, jobs->List(!running));
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& j : list) arr.push_back(JobToJson(j));
    return ctx.Out(arr.dump() + "\n");
  }
  std::string out;
  for (const auto& j : list) out += JobListLine(j) + "\n";
  return ctx.Out(out);
}

Status KillCmd(CliContext& ctx, const std::vector<std::string>& args) {
  std::vector<std::string> ids;
  ArgParser p("job kill JOB_ID", "Stop a running job: its attempts are killed and nothing more is committed.");
  p.Operands(&ids, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  ASSIGN_OR_RETURN(JobState state, jobs->Kill(ids[0]));
  if (state == JOB_KILLED) return ctx.Out(fmt::format("{} killed\n", ids[0]));
  return Aborted("{} had already ended ({})", ids[0], state == JOB_SUCCEEDED ? "SUCCEEDED" : "FAILED");
}

Status LogsCmd(CliContext& ctx, const std::vector<std::string>& args) {
  std::string task;
  std::vector<std::string> ids;
  ArgParser p("job logs JOB_ID [--task TASK]",
              "Every attempt of the job (or of one task): where it ran, how it ended, its error and stderr tail.");
  p.Option("--task", &task, "TASK", "a task or attempt id, or its end (m_000003, r_000000)").Operands(&ids, 1, 1);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  ASSIGN_OR_RETURN(JobReport r, jobs->Status(ids[0], /*include_tasks=*/true));
  std::string text = JobLogsText(r, task);
  if (!task.empty() && text.find("\n== ") == std::string::npos)
    return NotFound("job {} has no task or attempt matching '{}'", ids[0], task);
  return ctx.Out(text);
}

Status ExecutorsCmd(CliContext& ctx, const std::vector<std::string>& args) {
  bool json = false;
  ArgParser p("job executors [--json]", "The executors (one per datanode): rack, slots and memory in use, tasks running.");
  p.Flag("--json", &json, "print a JSON array").Operands(nullptr, 0, 0);
  bool help = false;
  RETURN_IF_ERROR(ctx.ParseArgs(p, args, kProgram, &help));
  if (help) return Status::OK();
  ASSIGN_OR_RETURN(client::JobClient * jobs, ctx.jobs());
  ASSIGN_OR_RETURN(std::vector<ExecutorReport> list, jobs->Executors());
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : list) arr.push_back(ExecutorToJson(e));
    return ctx.Out(arr.dump() + "\n");
  }
  std::string out;
  for (const auto& e : list) out += ExecutorLine(e) + "\n";
  return ctx.Out(out);
}

Status Job(CliContext& ctx, const std::vector<std::string>& args) {
  static const char* kUsage =
      "usage: cairn job submit [wordcount|grep PATTERN|sort|distinct] --input PATHS --output PATH [--wait] ...\n"
      "       cairn job submit --mapper CMD [--reducer CMD] [--combiner CMD] [--files F,...] --input ... --output ...\n"
      "       cairn job submit --plugin LIB.so --input ... --output ...\n"
      "       cairn job submit --gang N --command CMD [--gpus-per-worker G] [--input PATHS] [--output PATH]\n"
      "       cairn job status JOB_ID [--json] [--tasks]\n"
      "       cairn job wait JOB_ID [--json]\n"
      "       cairn job list [--running] [--json]\n"
      "       cairn job kill JOB_ID\n"
      "       cairn job logs JOB_ID [--task TASK]\n"
      "       cairn job executors [--json]\n"
      "The job master's address comes from --jobmaster or $CAIRN_JOBMASTER. A kerberos job master (with\n"
      "$CAIRN_JOBMASTER_PRINCIPAL set) logs you in with your ticket, and each job gets a delegation token\n"
      "for you that its tasks use, as your local account.\n";
  return RunSubcommand(ctx, args, kUsage,
                       {{"submit", Submit},
                        {"status", StatusCmd},
                        {"wait", WaitCmd},
                        {"list", ListCmd},
                        {"kill", KillCmd},
                        {"logs", LogsCmd},
                        {"executors", ExecutorsCmd}});
}

}  // namespace

void AddJobCommands(std::vector<Command>* commands) {
  commands->push_back({"job", "MapReduce and gang jobs: submit, status, wait, list, kill, logs, executors", Job});
}

}  // namespace cairn::cli
