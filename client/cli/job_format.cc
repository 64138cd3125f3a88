#include "client/cli/job_format.h"

#include <fmt/format.h>

#include "client/cli/format.h"
#include "common/flags.h"

namespace cairn::cli {

namespace {

int64_t Counter(const JobReport& job, const std::string& name) {
  for (const auto& c : job.counters()) {
    if (c.group() == "cairn" && c.name() == name) return c.value();
  }
  return 0;
}

const char* StateName(JobState s) {
  switch (s) {
    case JOB_RUNNING: return "RUNNING";
    case JOB_SUCCEEDED: return "SUCCEEDED";
    case JOB_FAILED: return "FAILED";
    case JOB_KILLED: return "KILLED";
  }
  return "UNKNOWN";
}

const char* AttemptStateText(AttemptState s) {
  switch (s) {
    case ATTEMPT_RUNNING: return "RUNNING";
    case ATTEMPT_SUCCEEDED: return "SUCCEEDED";
    case ATTEMPT_FAILED: return "FAILED";
    case ATTEMPT_KILLED: return "KILLED";
  }
  return "UNKNOWN";
}

const char* LocalityText(Locality l) {
  switch (l) {
    case NODE_LOCAL: return "node-local";
    case RACK_LOCAL: return "rack-local";
    case OFF_RACK: return "off-rack";
    case NO_PREFERENCE: return "any";
  }
  return "?";
}

std::string What(const JobSpec& spec) {
  switch (spec.kind()) {
    case JobSpec::BUILTIN: {
      std::string s = spec.builtin();
      for (const auto& a : spec.builtin_args()) s += " " + a;
      return s;
    }
    case JobSpec::STREAMING:
      return fmt::format("streaming: mapper '{}'{}", spec.mapper_command(),
                         spec.reducer_command().empty() ? "" : ", reducer '" + spec.reducer_command() + "'");
    case JobSpec::PLUGIN:
      return "plugin " + spec.plugin_path();
    case JobSpec::ML:
      return "ml " + spec.ml().algorithm();
    case JobSpec::GANG:
      return fmt::format("gang of {} workers: '{}'", spec.gang_workers(), spec.gang_command());
  }
  return "?";
}

std::string Duration(const JobReport& job) {
  if (job.finish_ms() == 0 || job.submit_ms() == 0) return "";
  return fmt::format("{:.1f} s", static_cast<double>(job.finish_ms() - job.submit_ms()) / 1000.0);
}

std::string Bar(float fraction, int width) {
  int filled = static_cast<int>(fraction * static_cast<float>(width) + 0.5f);
  filled = std::clamp(filled, 0, width);
  std::string bar(static_cast<size_t>(width), ' ');
  for (int i = 0; i < filled; ++i) bar[static_cast<size_t>(i)] = '=';
  if (filled > 0 && filled < width) bar[static_cast<size_t>(filled - 1)] = '>';
  return bar;
}

// "0,1" (the devices) and ", 0.25 of each" for a share.
std::string GpuText(const ComputeResources& r) {
  std::string ids;
  for (int id : r.gpu_ids()) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  if (ids.empty()) return "";
  return r.gpu_fraction() > 0 ? fmt::format("{} ({:g} share)", ids, r.gpu_fraction()) : ids;
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

double DataLocalShare(const JobReport& job) {
  if (job.spec().kind() == JobSpec::GANG) {
    int64_t local = Counter(job, "shard_bytes_local"), remote = Counter(job, "shard_bytes_remote");
    return local + remote == 0 ? 0.0 : static_cast<double>(local) / static_cast<double>(local + remote);
  }
  int64_t launched = Counter(job, "launched_maps");
  return launched == 0 ? 0.0 : static_cast<double>(Counter(job, "data_local_maps")) / static_cast<double>(launched);
}

std::string JobStatusText(const JobReport& job) {
  const JobSpec& spec = job.spec();
  std::string out = fmt::format("{}  {}  {}\n", job.job_id(), spec.name(), StateName(job.state()));
  out += fmt::format("  job:         {}\n", What(spec));
  out += fmt::format("  user:        {}\n", spec.user());
  out += fmt::format("  submitted:   {}{}\n", FormatDate(job.submit_ms()),
                     Duration(job).empty() ? "" : "   took " + Duration(job));
  out += fmt::format("  input:       {}\n", Join(spec.input_paths()));
  out += fmt::format("  output:      {}\n", spec.output_path());
  if (spec.kind() == JobSpec::GANG) {
    const auto& r = spec.task_resources();
    out += fmt::format("  workers:     {}/{} done, each {} slot{}, {}{}\n", job.maps_done(), job.maps_total(),
                       r.cpu_slots(), r.cpu_slots() == 1 ? "" : "s", FormatByteSize(r.memory_bytes()),
                       r.gpus() > 0 ? fmt::format(", {} GPU{}", r.gpus(), r.gpus() == 1 ? "" : "s")
                       : r.gpu_fraction() > 0 ? fmt::format(", {:g} GPU", r.gpu_fraction()) : "");
    out += fmt::format("  restarts:    {} of {}\n", job.gang_restarts(), spec.gang_max_restarts());
  } else {
    out += fmt::format("  maps:        {}/{} ({:.0f}%)\n", job.maps_done(), job.maps_total(), job.map_progress() * 100);
    out += fmt::format("  reduces:     {}/{} ({:.0f}%)\n", job.reduces_done(), job.reduces_total(),
                       job.reduce_progress() * 100);
  }
  if (!job.pending_reason().empty()) out += fmt::format("  waiting:     {}\n", job.pending_reason());
  if (int64_t shard_bytes = Counter(job, "shard_bytes_local") + Counter(job, "shard_bytes_remote"); shard_bytes > 0)
    out += fmt::format("  data-local:  {} of {} input bytes given to workers next to a replica ({:.0f}%)\n",
                       Counter(job, "shard_bytes_local"), shard_bytes, DataLocalShare(job) * 100);
  int64_t launched = Counter(job, "launched_maps");
  if (launched > 0)
    out += fmt::format("  data-local:  {} of {} map attempts ({:.0f}%)\n", Counter(job, "data_local_maps"), launched,
                       DataLocalShare(job) * 100);
  if (!job.diagnostics().empty()) out += fmt::format("  diagnostics: {}\n", job.diagnostics());
  if (job.counters_size() > 0) {
    out += "  counters:\n";
    for (const auto& c : job.counters()) out += fmt::format("    {:<36} {}\n", c.group() + "." + c.name(), c.value());
  }
  return out;
}

std::string JobListLine(const JobReport& job) {
  const std::string tasks = job.spec().kind() == JobSpec::GANG
                                ? fmt::format("workers {}/{}", job.maps_done(), job.maps_total())
                                : fmt::format("maps {}/{} reduces {}/{}", job.maps_done(), job.maps_total(),
                                              job.reduces_done(), job.reduces_total());
  return fmt::format("{:<28} {:<10} {:<12} {:<10} {}  {}", job.job_id(), StateName(job.state()), job.spec().name(),
                     job.spec().user(), tasks, FormatDate(job.submit_ms()));
}

std::string JobProgressLine(const JobReport& job, int bar_width) {
  if (job.spec().kind() == JobSpec::GANG) {
    return fmt::format("workers [{}] {}/{} done{}", Bar(job.map_progress(), bar_width), job.maps_done(), job.maps_total(),
                       job.pending_reason().empty() ? "" : "   waiting: " + job.pending_reason());
  }
  return fmt::format("map [{}] {:3.0f}% {}/{}   reduce [{}] {:3.0f}% {}/{}", Bar(job.map_progress(), bar_width),
                     job.map_progress() * 100, job.maps_done(), job.maps_total(), Bar(job.reduce_progress(), bar_width),
                     job.reduce_progress() * 100, job.reduces_done(), job.reduces_total());
}

bool TaskMatches(const std::string& id, const std::string& filter) {
  if (filter.empty() || id == filter) return true;
  if (filter.size() >= id.size()) return false;
  return id.compare(id.size() - filter.size(), filter.size(), filter) == 0 && id[id.size() - filter.size() - 1] == '_';
}

std::string JobLogsText(const JobReport& job, const std::string& task) {
  std::string out;
  if (!job.diagnostics().empty()) out += fmt::format("job {} {}: {}\n", job.job_id(), StateName(job.state()), job.diagnostics());
  for (const TaskReport& t : job.tasks()) {
    bool task_match = TaskMatches(t.task_id(), task);
    for (const AttemptReport& a : t.attempts()) {
      if (!task_match && !TaskMatches(a.attempt_id(), task)) continue;
      const char* kind = job.spec().kind() == JobSpec::GANG ? "worker" : t.type() == MAP ? "map" : "reduce";
      const std::string gpus = GpuText(a.resources());
      out += fmt::format("\n== {}  {} {}  {}  on {} ({}){}{}{}\n", a.attempt_id(), kind, t.index(),
                         AttemptStateText(a.state()), a.node(), LocalityText(a.locality()),
                         a.speculative() ? ", speculative" : "", gpus.empty() ? "" : ", GPUs " + gpus,
                         a.exit_code() >= 0 ? fmt::format(", exit code {}", a.exit_code()) : "");
      if (!a.status().empty()) out += fmt::format("status: {}\n", a.status());
      if (!a.diagnostics().empty()) out += fmt::format("diagnostics: {}\n", a.diagnostics());
      if (!a.stderr_tail().empty()) {
        out += "--- stderr (tail)\n" + a.stderr_tail();
        if (a.stderr_tail().back() != '\n') out += "\n";
      }
    }
  }
  return out;
}

nlohmann::json JobToJson(const JobReport& job) {
  nlohmann::json j;
  const JobSpec& spec = job.spec();
  j["job_id"] = job.job_id();
  j["name"] = spec.name();
  j["user"] = spec.user();
  j["state"] = StateName(job.state());
  j["submit_ms"] = job.submit_ms();
  j["finish_ms"] = job.finish_ms();
  j["input"] = std::vector<std::string>(spec.input_paths().begin(), spec.input_paths().end());
  j["output"] = spec.output_path();
  j["maps_total"] = job.maps_total();
  j["maps_done"] = job.maps_done();
  j["reduces_total"] = job.reduces_total();
  j["reduces_done"] = job.reduces_done();
  j["map_progress"] = job.map_progress();
  j["reduce_progress"] = job.reduce_progress();
  j["data_local_share"] = DataLocalShare(job);
  j["diagnostics"] = job.diagnostics();
  j["pending_reason"] = job.pending_reason();
  if (spec.kind() == JobSpec::GANG) {
    j["kind"] = "gang";
    j["gang_workers"] = spec.gang_workers();
    j["gang_restarts"] = job.gang_restarts();
    j["gang_max_restarts"] = spec.gang_max_restarts();
  }
  nlohmann::json counters = nlohmann::json::object();
  for (const auto& c : job.counters()) counters[c.group()][c.name()] = c.value();
  j["counters"] = counters;
  if (job.tasks_size() > 0) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const TaskReport& t : job.tasks()) {
      nlohmann::json tj;
      tj["task_id"] = t.task_id();
      tj["type"] = t.type() == MAP ? "map" : "reduce";
      tj["state"] = TaskState_Name(t.state());
      tj["progress"] = t.progress();
      tj["split"] = t.split();
      nlohmann::json attempts = nlohmann::json::array();
      for (const AttemptReport& a : t.attempts()) {
        attempts.push_back({{"attempt_id", a.attempt_id()},
                            {"state", AttemptStateText(a.state())},
                            {"node", a.node()},
                            {"locality", LocalityText(a.locality())},
                            {"speculative", a.speculative()},
                            {"status", a.status()},
                            {"start_ms", a.start_ms()},
                            {"finish_ms", a.finish_ms()},
                            {"exit_code", a.exit_code()},
                            {"gpu_ids", std::vector<int>(a.resources().gpu_ids().begin(), a.resources().gpu_ids().end())},
                            {"diagnostics", a.diagnostics()}});
      }
      tj["attempts"] = attempts;
      tasks.push_back(tj);
    }
    j["tasks"] = tasks;
  }
  return j;
}

std::string ExecutorLine(const ExecutorReport& e) {
  std::string gpus = fmt::format("{:g}/{}", e.used_gpus(), e.total().gpus());
  if (e.total().gpu_ids_size() > 0) gpus += " [" + GpuText(e.total()) + "]";
  return fmt::format("{:<22} {:<10} slots {}/{}  memory {}/{}  gpus {}  tasks {}  last heartbeat {} ms ago",
                     e.node(), e.rack(), e.used_slots(), e.total().cpu_slots(), FormatByteSize(e.used_memory()),
                     FormatByteSize(e.total().memory_bytes()), gpus, e.running_attempts(), e.last_heartbeat_ms_ago());
}

std::string ExecutorGpuText(const ExecutorReport& e) {
  if (e.total().gpu_devices_size() == 0) return "none";
  std::string out;
  for (const GpuDevice& d : e.total().gpu_devices()) {
    out += (out.empty() ? "" : "; ") + fmt::format("{}: {}", d.id(), d.name());
    if (d.memory_bytes() > 0) out += " " + FormatByteSize(d.memory_bytes());
    if (d.configured()) out += " (configured)";
  }
  return fmt::format("{} ({:g} in use): {}", e.total().gpu_devices_size(), e.used_gpus(), out);
}

nlohmann::json GpuDevicesJson(const ComputeResources& r) {
  nlohmann::json list = nlohmann::json::array();
  for (const GpuDevice& d : r.gpu_devices()) {
    list.push_back({{"id", d.id()}, {"name", d.name()}, {"memory_bytes", d.memory_bytes()}, {"configured", d.configured()}});
  }
  return list;
}

nlohmann::json ExecutorToJson(const ExecutorReport& e) {
  return {{"executor_id", e.executor_id()},
          {"node", e.node()},
          {"rack", e.rack()},
          {"shuffle_address", e.shuffle_address()},
          {"cpu_slots", e.total().cpu_slots()},
          {"memory_bytes", e.total().memory_bytes()},
          {"gpus", e.total().gpus()},
          {"gpu_ids", std::vector<int>(e.total().gpu_ids().begin(), e.total().gpu_ids().end())},
          {"used_gpus", e.used_gpus()},
          {"gpu_devices", GpuDevicesJson(e.total())},
          {"used_slots", e.used_slots()},
          {"used_memory", e.used_memory()},
          {"running_attempts", e.running_attempts()},
          {"last_heartbeat_ms_ago", e.last_heartbeat_ms_ago()}};
}

}  // namespace cairn::cli
