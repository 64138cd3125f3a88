#include "compute/runtime/job_program.h"

namespace cairn::compute {

Status ValidateProgram(const JobSpec& spec) {
  switch (spec.kind()) {
    case JobSpec::BUILTIN:
      return ValidateBuiltin(spec);
    case JobSpec::STREAMING:
      if (spec.mapper_command().empty()) return InvalidArgument("a streaming job needs a mapper command");
      return Status::OK();
    case JobSpec::PLUGIN:
      if (spec.plugin_path().empty()) return InvalidArgument("a plugin job needs the plugin library's path");
      return Status::OK();
    case JobSpec::ML:
      if (spec.ml().format().features() == 0) return InvalidArgument("an ML job needs its data format (features)");
      return Status::OK();
    case JobSpec::GANG:
      if (spec.gang_command().empty()) return InvalidArgument("a gang job needs the workers' command");
      if (spec.gang_workers() < 1) return InvalidArgument("a gang job needs at least one worker");
      if (spec.gang_workers() > 10000) return InvalidArgument("a gang of {} workers is too many", spec.gang_workers());
      return Status::OK();
  }
  return InvalidArgument("unknown job kind {}", static_cast<int>(spec.kind()));
}

Result<JobProgram> MakeJobProgram(const JobSpec& spec, const TaskEnvironment& env) {
  RETURN_IF_ERROR(ValidateProgram(spec));
  switch (spec.kind()) {
    case JobSpec::BUILTIN:
      return MakeBuiltinProgram(spec);
    case JobSpec::STREAMING:
      return MakeStreamingProgram(spec, env);
    case JobSpec::PLUGIN:
      return MakePluginProgram(spec, env);
    case JobSpec::ML:
      return InvalidArgument("ML jobs have no map program: their tasks load partitions into ML workers");
    case JobSpec::GANG:
      return InvalidArgument("a gang job runs its workers' command, not a MapReduce program");
  }
  return InvalidArgument("unknown job kind");
}

}  // namespace cairn::compute
