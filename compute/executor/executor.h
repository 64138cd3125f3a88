// Executor: the compute side of a datanode. It registers with the job master (offering
// CPU slots, memory and GPUs: probed through CUDA or declared by its settings, with their
// exact device ids), heartbeats
// the state of its attempts, and runs the attempts the replies launch, each as a cairn-task
// process (TaskProcess) in <work_dir>/jobs/<job>/<attempt>/ with a memory limit and a kill
// on timeout. It serves finished maps' outputs to reducers (ShuffleServer) and deletes a
// job's files once the job master says the job is over.
//
// Each task process sees only the GPUs the job master gave its attempt
// (CUDA_VISIBLE_DEVICES, empty for none; CAIRN_GPU_FRACTION for a share of one device).
//
// ML jobs: the first task of an ML job here starts the job's ML worker (MlWorkers), which
// keeps the job's partitions in memory until the job is over.
//
// Confinement (TaskConfinement): every task process and ML worker runs as the task account
// (--executor_task_user, never the datanode's own), in a cgroup of its own with its
// request's memory and CPU, with a built environment; its attempt dir is the one place
// it can write. A task the kernel killed for memory is reported as such.
//
// Short-circuit input: when a map's split is a block this node holds, the executor looks
// up the replica's files (LocalReplicaLookup, backed by the datanode's BlockStore), opens
// them and hands the task the open descriptors (the task's account cannot open the
// datanode's files by path); the task reads them directly. Likewise a reduce running here
// reads maps' outputs that are on this executor straight from disk.
//
// Threads: the heartbeat thread (registers, heartbeats, launches: forked tasks are tied
// to it by PR_SET_PDEATHSIG) and the monitor thread (reaps exited tasks, enforces
// timeouts, removes finished jobs' files). An attempt's end wakes the heartbeat thread
// so the job master hears of it at once.
//
// Ownership and locking: mu_ guards attempts_ and the job bookkeeping; no file I/O or RPC
// happens under it. Thread-safety: Start/Stop from the owner; accessors from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "cairn/compute.pb.h"
#include "compute/executor/executor_settings.h"
#include "compute/executor/jobmaster_client.h"
#include "compute/executor/ml_workers.h"
#include "compute/executor/ml_proxy.h"
#include "compute/executor/shuffle_service.h"
#include "compute/executor/task_confinement.h"
#include "compute/executor/task_process.h"

namespace cairn::compute {

// Who the executor is, as its datanode knows it.
struct ExecutorIdentity {
  std::string datanode_uuid;
  std::string node;            // the datanode's transfer address ip:xferPort (block locations name it)
  std::string hostname;
  std::string rack_hint;
  std::string bind_host;       // where the shuffle service listens
  std::string advertise_host;  // the address reducers use to reach it
  std::string namenode;        // the namenode gRPC address tasks connect to
};

struct LocalReplica {
  std::string data_path;
  std::string meta_path;
};
// Finds a finalized local replica of block_id with a stamp >= min_gen_stamp.
using LocalReplicaLookup = std::function<Result<LocalReplica>(uint64_t block_id, uint64_t min_gen_stamp)>;

class Executor {
 public:
  // work_dir must be set (the datanode fills its default). client null: gRPC to
  // settings.jobmaster.
  static Result<std::unique_ptr<Executor>> Start(const ExecutorSettings& settings, ExecutorIdentity identity,
                                                 LocalReplicaLookup lookup,
                                                 std::unique_ptr<JobmasterClient> client = nullptr);
  ~Executor();
  // Kills running attempts, stops both threads and the shuffle service. Idempotent.
  void Stop();

  const std::string& executor_id() const { return executor_id_; }
  int shuffle_port() const { return shuffle_ ? shuffle_->port() : 0; }
  bool registered() const { return registered_.load(); }
  int running_attempts() const;

 private:
  struct Attempt {
    TaskSpec spec;
    std::string dir;
    TaskCgroup cgroup;             // before process: the process is reaped before its cgroup goes
    TaskProcess process;
    int64_t start_ms = 0;
    int64_t deadline_ms = 0;       // monotonic; 0: no timeout
    AttemptState state = ATTEMPT_RUNNING;
    std::string kill_reason;       // set when the job master killed it (or its job ended)
    bool timed_out = false;        // the executor killed it for running too long
    int exit_code = -1;
    std::string diagnostics;
    std::string stderr_tail;
    TaskProgress final_progress;   // from result.pb
  };

  Executor(ExecutorSettings settings, ExecutorIdentity identity, LocalReplicaLookup lookup,
           std::unique_ptr<JobmasterClient> client);
  void HeartbeatLoop();
  void MonitorLoop();
  Status Register();
  Status HeartbeatOnce();
  // Prepares the attempt's directory and spec and starts its process.
  void Launch(TaskSpec spec);
  // Fills in what only this node knows: local replicas (opened: their descriptors go to
  // *handed_over, which the caller closes), local map outputs, the namenode.
  void Localize(TaskSpec* spec, std::vector<int>* handed_over) const;
  // Reads result.pb and the stderr tail of an exited attempt (file I/O; no lock held).
  // oom_kills: how often its cgroup killed a process for memory.
  void Conclude(const std::string& dir, int exit_code, const std::string& kill_reason, uint64_t oom_kills,
                uint64_t memory_limit, Attempt* out) const;
  // Starts the task binary as the task account in the work dir, so a setting that cannot
  // work (an account that cannot reach the work dir or the binary) fails the start.
  Status ProbeTaskAccount() const;
  std::string JobDir(const std::string& job_id) const { return settings_.work_dir + "/jobs/" + job_id; }
  void Wake();

  const ExecutorSettings settings_;
  const ExecutorIdentity identity_;
  const LocalReplicaLookup lookup_;
  std::unique_ptr<JobmasterClient> client_;
  std::string executor_id_;
  std::string task_binary_;
  std::unique_ptr<TaskConfinement> confinement_;
  std::unique_ptr<MlWorkers> ml_workers_;
  std::unique_ptr<MlProxy> ml_proxy_;       // before shuffle_: the server that serves it stops first
  std::unique_ptr<ShuffleServer> shuffle_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> registered_{false};
  std::thread heartbeat_thread_;
  std::thread monitor_thread_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;
  bool wake_ = false;                                   // guarded by mu_: heartbeat now
  std::map<std::string, std::unique_ptr<Attempt>> attempts_;  // guarded by mu_: by attempt id
  std::set<std::string> jobs_with_data_;                // guarded by mu_
  std::map<std::string, std::string> shuffle_secrets_;  // guarded by mu_: by job id, while its files are here
  std::set<std::string> jobs_to_remove_;                // guarded by mu_: once no attempt of theirs runs
  int heartbeat_interval_ms_;                           // guarded by mu_
};

}  // namespace cairn::compute
