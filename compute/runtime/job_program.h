// JobProgram: what a job's tasks run, however the job said it (built-in, streaming
// commands or a plugin library): factories for the mapper, the reducer and the optional
// combiner, the output format and the partitioning. Task drivers (map_task, reduce_task)
// only ever see a JobProgram.
//
// Thread-safety: the factories may be called from the task's one thread; the objects they
// make belong to it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "compute/include/cairn/mapreduce.h"
#include "compute/runtime/map_output_buffer.h"

namespace cairn::compute {

class PluginLibrary;

enum class OutputFormat {
  kText,  // key<TAB>value lines (key alone when the value is empty)
  kRaw,   // key and value bytes back to back (sort's fixed-size records)
};

struct JobProgram {
  std::function<Result<std::unique_ptr<mr::Mapper>>()> mapper;
  ReducerFactory reducer;   // jobs with reducers
  ReducerFactory combiner;  // empty: none
  OutputFormat output_format = OutputFormat::kText;
  bool range_partitioned = false;        // total order with TaskSpec.partition_bounds
  std::shared_ptr<PluginLibrary> plugin;  // keeps a plugin loaded while its objects live
};

// What the streaming children of a task get besides the parent's environment
// (NAME=value entries: Hadoop Streaming's variables and the job's params).
struct TaskEnvironment {
  std::vector<std::string> variables;
  std::string working_dir;
};

// Checks a job's kind, built-in name and arguments (grep's pattern compiles, sort's sizes
// agree). The job master calls it at submit so that a bad job is refused at once.
Status ValidateProgram(const JobSpec& spec);

// The program of a job, for a task running in env.working_dir (plugins are loaded from
// there, by their file name).
Result<JobProgram> MakeJobProgram(const JobSpec& spec, const TaskEnvironment& env);

// Per kind (builtins.cc, streaming_program.cc, plugin.cc).
Status ValidateBuiltin(const JobSpec& spec);
Result<JobProgram> MakeBuiltinProgram(const JobSpec& spec);
Result<JobProgram> MakeStreamingProgram(const JobSpec& spec, const TaskEnvironment& env);
Result<JobProgram> MakePluginProgram(const JobSpec& spec, const TaskEnvironment& env);

}  // namespace cairn::compute
