#include "compute/ids.h"

#include <fmt/format.h>

namespace cairn::compute {

std::string MakeJobId(int64_t start_ms, int sequence) { return fmt::format("job_{}_{:04d}", start_ms, sequence); }

std::string MakeTaskId(std::string_view job_id, TaskType type, int index) {
  std::string_view suffix = job_id.substr(job_id.rfind("job_", 0) == 0 ? 4 : 0);
  return fmt::format("task_{}_{}_{:06d}", suffix, type == MAP ? 'm' : 'r', index);
}

std::string MakeAttemptId(std::string_view task_id, int attempt) {
  std::string_view suffix = task_id.substr(task_id.rfind("task_", 0) == 0 ? 5 : 0);
  return fmt::format("attempt_{}_{}", suffix, attempt);
}

std::string PartFileName(TaskType type, int index) {
  return fmt::format("part-{}-{:05d}", type == MAP ? 'm' : 'r', index);
}

bool IsSafeId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view TaskTypeName(TaskType type) { return type == MAP ? "map" : "reduce"; }

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JOB_RUNNING: return "RUNNING";
    case JOB_SUCCEEDED: return "SUCCEEDED";
    case JOB_FAILED: return "FAILED";
    case JOB_KILLED: return "KILLED";
  }
  return "UNKNOWN";
}

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TASK_PENDING: return "PENDING";
    case TASK_RUNNING: return "RUNNING";
    case TASK_SUCCEEDED: return "SUCCEEDED";
    case TASK_FAILED: return "FAILED";
    case TASK_KILLED: return "KILLED";
  }
  return "UNKNOWN";
}

std::string_view AttemptStateName(AttemptState state) {
  switch (state) {
    case ATTEMPT_RUNNING: return "RUNNING";
    case ATTEMPT_SUCCEEDED: return "SUCCEEDED";
    case ATTEMPT_FAILED: return "FAILED";
    case ATTEMPT_KILLED: return "KILLED";
  }
  return "UNKNOWN";
}

std::string_view LocalityName(Locality locality) {
  switch (locality) {
    case NODE_LOCAL: return "node-local";
    case RACK_LOCAL: return "rack-local";
    case OFF_RACK: return "off-rack";
    case NO_PREFERENCE: return "any";
  }
  return "unknown";
}

}  // namespace cairn::compute
