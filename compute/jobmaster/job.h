// The job master's model of jobs, tasks and attempts, and of the executors that run them.
// Plain structs owned by JobMaster and guarded by its mutex; BuildReport turns a Job into
// the JobReport clients see and the history keeps.
//
// Thread-safety: none here; JobMaster::mu_ guards every instance.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "compute/counters.h"

namespace cairn::compute {

struct AttemptInfo {
  std::string id;
  std::string executor_id;
  std::string node;
  AttemptState state = ATTEMPT_RUNNING;
  int64_t start_ms = 0;           // wall clock
  int64_t finish_ms = 0;
  int64_t start_mono_ms = 0;      // for speculation
  uint64_t launch_heartbeat = 0;  // the executor's heartbeat whose reply launched it
  Locality locality = NO_PREFERENCE;
  bool speculative = false;
  bool kill_sent = false;         // the job master asked its executor to kill it
  float progress = 0;
  std::string status;
  int exit_code = -1;
  std::string diagnostics;
  std::string stderr_tail;
  google::protobuf::RepeatedPtrField<Counter> counters;
  ComputeResources resources;     // held on its executor while it runs
  std::string output_file;        // reported by a successful attempt
  google::protobuf::RepeatedField<int32_t> fetch_failed_maps;  // reduces: map outputs it could not get
  std::string ml_worker;          // ML loads: the worker (host:port) holding its partition
};

struct TaskInfo {
  TaskType type = MAP;
  int index = 0;
  std::string id;
  TaskState state = TASK_PENDING;
  std::vector<AttemptInfo> attempts;
  int failures = 0;               // failed attempts (kills do not count)
  int fetch_reruns = 0;           // reduces re-run because map output was lost
  std::set<std::string> failed_nodes;  // nodes where an attempt failed; avoided for retries
  InputSplit split;               // maps
  int succeeded = -1;             // index of the winning attempt
  bool committing = false;        // its output is being renamed into place
  int64_t done_mono_ms = 0;
  std::vector<int> gang_splits;   // gang workers: indexes into GangState::splits of the current start

  int running_attempts() const;
  const AttemptInfo* winner() const { return succeeded >= 0 ? &attempts[succeeded] : nullptr; }
};

// A gang job's own state: its workers are the job's map tasks (one per rank), started all
// together on a placement of the whole gang (gang_placement.h).
struct GangState {
  std::vector<InputSplit> splits;  // the input, to share out among the workers at each start
  int max_restarts = 0;
  int restarts = 0;                // whole-gang restarts so far
  bool placed = false;             // workers of the current start hold resources (or ran)
  std::string pending_reason;      // why the gang is not placed now
  bool committed = false;          // every worker's output is in place
};

struct Job {
  std::string id;
  JobSpec spec;
  JobState state = JOB_RUNNING;
  int64_t submit_ms = 0;
  int64_t finish_ms = 0;
  std::string diagnostics;
  std::vector<TaskInfo> maps;
  std::vector<TaskInfo> reduces;
  std::vector<std::string> partition_bounds;
  int num_reducers = 0;
  std::string temp_dir;           // <output>/_temporary
  std::string shuffle_secret;     // random, per job: its tasks prove map output fetches with it
  std::string delegation_token;   // kerberos: the user's (a serialised TokenProto); its tasks act with it
  int64_t token_renew_mono_ms = 0;  // kerberos: when the job master renews it next
  int64_t locality_skip_since = 0;  // delay scheduling: when the job first passed a slot (0: not waiting)
  CounterSet job_counters;        // locality and attempt counts
  bool finalizing = false;        // the committer is finishing it (output, history)
  std::optional<GangState> gang;  // gang jobs only
  int64_t ml_active_mono_ms = 0;  // ML jobs: the driver's last call (submit, step)
  bool ml_finished = false;       // ML jobs: the driver said it is done; finish once tasks are
  int ml_steps = 0;               // ML jobs: steps run
  int ml_steps_in_flight = 0;     // ML jobs: steps at the workers now (the driver is not idle)

  int maps_done() const;
  int reduces_done() const;
  bool all_maps_done() const { return maps_done() == static_cast<int>(maps.size()); }
  TaskInfo& task(TaskType type, int index) { return type == MAP ? maps[index] : reduces[index]; }
};

struct ExecutorInfo {
  std::string id;
  std::string node;               // ip:xferPort
  std::string hostname;
  std::string rack;
  std::string shuffle_address;
  std::string peer;               // the IP it registered from
  ComputeResources total;
  uint32_t used_slots = 0;
  uint64_t used_memory = 0;
  int64_t last_heartbeat_mono_ms = 0;
  uint64_t heartbeats = 0;
  std::set<std::string> running;  // attempt ids it holds resources for
  std::set<std::string> to_kill;  // sent with its next heartbeat reply
  std::map<int, int> gpu_used;    // device id -> share units in use (resource_fit.h)
  std::vector<TaskSpec> pending_launches;  // placed from another executor's heartbeat (gangs); sent with its next reply

  // Slots, memory and GPUs free enough for r now (resource_fit.h).
  bool Fits(const ComputeResources& r) const;
};

// The report of a job; tasks (with attempts) only when include_tasks.
JobReport BuildReport(const Job& job, bool include_tasks);
// Attempt diagnostics in job-level messages: one readable line of at most max bytes.
std::string OneLine(const std::string& s, size_t max = 600);
// "path [start, +length)".
std::string DescribeSplit(const InputSplit& split);

}  // namespace cairn::compute
