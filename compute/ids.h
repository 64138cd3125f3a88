// Names of jobs, tasks and attempts, in Hadoop's shapes:
//   job_<start>_<seq>                 job_1714567890123_0007
//   task_<start>_<seq>_m_<index>      task_1714567890123_0007_m_000003  (r for reduces)
//   attempt_<start>_<seq>_m_<index>_<n>
// <start> is the job master's start time in ms, so ids stay unique across its restarts.
// Ids also name directories on executors, so IsSafeId guards every id that comes in from
// the network before it reaches a path.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cairn/compute.pb.h"

namespace cairn::compute {

std::string MakeJobId(int64_t start_ms, int sequence);
std::string MakeTaskId(std::string_view job_id, TaskType type, int index);
std::string MakeAttemptId(std::string_view task_id, int attempt);
// Output file name of a task: part-m-00003 or part-r-00003.
std::string PartFileName(TaskType type, int index);

// Only [A-Za-z0-9_-], 1..128 characters.
bool IsSafeId(std::string_view id);

std::string_view TaskTypeName(TaskType type);         // "map" / "reduce"
std::string_view JobStateName(JobState state);        // "RUNNING", "SUCCEEDED", ...
std::string_view TaskStateName(TaskState state);
std::string_view AttemptStateName(AttemptState state);
std::string_view LocalityName(Locality locality);     // "node-local", ...

}  // namespace cairn::compute
