// TaskRuntime: everything one task attempt shares between its parts: the TaskSpec, the
// mr::TaskContext, the framework counters, progress, the working directory and a client
// of the file system connected on first use (a node-local map of a job with reducers may
// never need one). It also copies the job's files (--files, the plugin) from Cairn into
// the working directory and builds the streaming environment.
//
// The map and reduce drivers (RunMapTask, RunReduceTask) return a TaskOutcome that
// cairn-task turns into result.pb for its executor.
//
// Thread-safety: fs() and the progress/snapshot accessors may be called from any thread
// (the status reporter reads while the task runs); the rest belongs to the task's thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cairn/compute.pb.h"
#include "client/file_system.h"
#include "compute/runtime/job_program.h"
#include "compute/runtime/task_context.h"
#include "compute/runtime/task_counters.h"

namespace cairn::compute {

struct TaskOutcome {
  Status status;
  std::vector<int> fetch_failed_maps;  // reduces: maps whose output could not be fetched
  std::string output_file;             // Cairn path of the part file written, if any
  std::string ml_worker_address;       // ML loads: the worker that holds the partition
};

class TaskRuntime {
 public:
  TaskRuntime(TaskSpec spec, std::string work_dir);
  ~TaskRuntime();

  const TaskSpec& spec() const { return spec_; }
  TaskContextImpl& context() { return context_; }
  TaskCounters& counters() { return counters_; }
  const std::string& work_dir() const { return work_dir_; }
  // Connects on first use.
  Result<client::FileSystem*> fs();

  void set_progress(float p) { progress_.store(p, std::memory_order_relaxed); }
  void set_phase(const char* phase) { phase_.store(phase, std::memory_order_relaxed); }
  // Progress, status and counters now.
  TaskProgress Snapshot() const;

  // Copies the job's files and plugin from Cairn into the working directory.
  Status LocalizeFiles();
  // Hadoop Streaming's variables for this task, plus the job's params.
  TaskEnvironment Environment() const;

 private:
  const TaskSpec spec_;
  const std::string work_dir_;
  TaskContextImpl context_;
  TaskCounters counters_;
  std::atomic<float> progress_{0};
  std::atomic<const char*> phase_{"starting"};
  std::mutex fs_mu_;
  std::unique_ptr<client::FileSystem> fs_;  // guarded by fs_mu_ until set
};

TaskOutcome RunMapTask(TaskRuntime& rt, const JobProgram& program);
TaskOutcome RunReduceTask(TaskRuntime& rt, const JobProgram& program);

}  // namespace cairn::compute
