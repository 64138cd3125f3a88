// MlWorkers: the executor's per-job ML workers (compute/ml/worker/). The first task of an
// ML job on this executor starts the job's cairn-ml-worker in <job dir>/ml-worker/; the
// job's tasks find it there and hand it their splits; it holds the job's parsed
// partitions across steps and is killed when the job master says the job is over (or the
// executor stops). A worker that died is noticed by Reap and started again by the next
// task of its job (its partitions are reloaded by the tasks the job master re-runs).
// Workers get the GPUs the task was granted (CUDA_VISIBLE_DEVICES), and none otherwise.
// They are confined as tasks are (TaskConfinement), in a cgroup whose memory limit is the
// job's partition cache plus the starting task's memory request plus 512 MiB of headroom.
//
// Thread-safety: all methods lock mu_. Start must be called from the executor's heartbeat
// thread (PR_SET_PDEATHSIG ties the worker to it, as for tasks).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "cairn/compute.pb.h"
#include "compute/executor/task_confinement.h"
#include "compute/executor/task_process.h"

namespace cairn::compute {

struct MlWorkersOptions {
  std::string binary;          // cairn-ml-worker
  uint64_t default_cache_bytes = 1ull << 30;
  const TaskConfinement* confinement = nullptr;  // the executor's; outlives the workers
};

class MlWorkers {
 public:
  explicit MlWorkers(MlWorkersOptions options) : options_(std::move(options)) {}
  ~MlWorkers() { StopAll(); }

  // The worker dir of the spec's job, starting the worker unless it runs.
  Result<std::string> Ensure(const TaskSpec& spec, const std::string& job_dir);
  void StopJob(const std::string& job_id);
  void StopAll();
  // Forgets workers that exited.
  void Reap();
  // The gRPC address (a Unix socket) of the job's worker here; kNotFound without one.
  Result<std::string> AddressOf(const std::string& job_id);

 private:
  struct Worker {
    TaskCgroup cgroup;  // before process: the process is reaped before its cgroup goes
    TaskProcess process;
    std::string dir;
  };
  const MlWorkersOptions options_;
  std::mutex mu_;
  std::map<std::string, Worker> workers_;  // guarded by mu_: by job id
};

}  // namespace cairn::compute
