// JobMaster: the whole cairn-jobmaster minus main(). It accepts jobs (planning their splits
// from the namenode's block locations), keeps the model of jobs, tasks, attempts and
// executors, places tasks on executors as their heartbeats offer free slots (scheduler.h),
// follows attempts to their end (retrying failures on other nodes, re-running maps whose
// output was lost with their executor, speculating on stragglers), commits task output by
// rename (only the first successful attempt of a task wins), finishes jobs (_SUCCESS) and
// keeps their history durably (HistoryStore). Executors' slots, memory and GPU devices are
// accounted in resource_fit.h; gang (barrier) jobs are placed whole and restarted whole
// (job_master_gang.cc, gang_placement.h).
//
// Threads: gRPC handler threads call the public methods; the monitor thread expires
// silent executors; the committer thread does every file-system change of output (renames,
// _SUCCESS, removing _temporary) and history saves, off the lock. mu_ guards the model
// (jobs_, executors_, attempt_index_, history_); it is never held across an RPC or disk
// I/O. Planning a submission talks to the namenode before taking it.
//
// File-system calls act as the job's user (one client per user, fs_mu_ guards the cache).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/file_system.h"
#include "common/auth_to_local.h"
#include "common/bounded_queue.h"
#include "common/grpc_login.h"
#include "compute/jobmaster/history_store.h"
#include "compute/jobmaster/job.h"
#include "compute/jobmaster/jobmaster_settings.h"
#include "compute/jobmaster/ml_fanout.h"
#include "compute/jobmaster/scheduler.h"

namespace grpc {
class Server;
}

namespace cairn::compute {

class JobMasterServices;

// The job master's own Kerberos credentials (kerberos mode), in this process's memory.
inline constexpr const char* kOwnCredentialCache = "MEMORY:cairn-jobmaster";

class JobMaster {
 public:
  // Opens the history; jobs it holds as running are marked failed (cut short by a restart).
  static Result<std::unique_ptr<JobMaster>> Create(const JobMasterSettings& settings);
  ~JobMaster();

  // Listens (writing the port file) and starts the monitor and committer threads.
  Status Start();
  void Stop();
  int port() const { return port_; }
  // Kerberos mode: the clients' logins; null in simple mode.
  GrpcLogin* login() const { return login_.get(); }
  const SecuritySettings& security() const { return settings_.security; }

  // --- clients (user: the caller: in simple mode the x-cairn-user metadata, in kerberos
  // mode the user its login proves) ---
  // delegation_token (kerberos mode, required there): a serialised TokenProto for the
  // caller, fetched by the client with this job master as its renewer. The job master
  // works at the namenode as the job's user with it, hands it to the job's tasks, and
  // cancels it when the job ends.
  Result<std::string> Submit(JobSpec spec, const std::string& user, const std::string& delegation_token = "");
  // In kerberos mode a user sees only their own jobs (the admin user sees all).
  Result<JobReport> GetJob(const std::string& job_id, bool include_tasks, const std::string& user);
  std::vector<JobReport> ListJobs(bool include_finished, const std::string& user);
  Result<JobState> Kill(const std::string& job_id, const std::string& user);
  std::vector<ExecutorReport> ListExecutors() const;

  // --- executors ---
  // peer: the caller's IP. In kerberos mode an executor registers only from its node's
  // IP, and heartbeats only from the IP it registered from, so a datanode certificate
  // cannot take over another node's executor (or the tasks, and tokens, sent to it).
  Result<RegisterExecutorResponse> RegisterExecutor(const RegisterExecutorRequest& req, const std::string& peer = "");
  Result<ExecutorHeartbeatResponse> Heartbeat(const ExecutorHeartbeatRequest& req, const std::string& peer = "");

  // One liveness check (tests call it directly).
  void CheckExecutors();

  // --- ML jobs (job_master_ml.cc): the driver's steps, fanned out to the executors' ML
  // workers holding the job's partitions (one partial per executor, summed here), and the
  // job's end. ---
  Result<MlStepResponse> MlStep(const MlStepRequest& req, const std::string& user);
  Status MlFinish(const MlFinishRequest& req, const std::string& user);
  // Fails ML jobs whose driver went silent (the monitor thread calls it).
  void ExpireIdleMlJobs();

 private:
  explicit JobMaster(JobMasterSettings settings);

  // Where an attempt lives in the model.
  struct AttemptRef {
    std::string job_id;
    TaskType type;
    int task;
    int attempt;
  };
  // Output work for the committer thread.
  struct CommitWork {
    enum Kind { kCommitTask, kFinishJob, kCommitGang } kind;
    std::string job_id;
    TaskType type = MAP;
    int task = 0;
    int attempt = 0;
  };

  // The namenode as `user`: in simple mode by name, in kerberos mode through the job's
  // delegation token (one FileSystem per token, dropped by ForgetJobToken).
  Result<client::FileSystem*> FsFor(const std::string& user, const std::string& delegation_token);
  // A new FileSystem for `user` (with its token in kerberos mode), kept under `key`;
  // fs_mu_ held.
  Result<client::FileSystem*> ConnectAs(const std::string& user, const std::string& delegation_token,
                                        const std::string& key);
  // Kerberos: one running job per token. Claiming makes the token's FileSystem, and a
  // second submission of the same token is refused while it exists; Release drops it
  // (the token lives on), ForgetJobToken cancels the token at the namenode and drops it.
  Status ClaimJobToken(const std::string& user, const std::string& delegation_token);
  void ReleaseJobToken(const std::string& delegation_token);
  void ForgetJobToken(const std::string& delegation_token);
  // Kerberos (job_master_tokens.cc): the job master's own login at the namenode (from its
  // keytab), which renews jobs' tokens as their renewer; the token's new expiry.
  Result<client::FileSystem*> OwnFs();
  Result<int64_t> RenewJobToken(const std::string& delegation_token);
  // Renews the tokens of running jobs every --jobmaster_token_renew_interval_ms (the
  // monitor thread calls it; no lock held).
  void RenewDueTokens();
  // Who may kill any job: the job master's own user (in kerberos mode its principal's).
  const std::string& admin_user() const { return admin_user_; }
  bool MaySee(const std::string& user, const std::string& owner) const;
  Status Plan(Job* job, client::FileSystem& fs);
  // The output path (free, or absent where allowed) and the job's files exist.
  Status CheckJobPaths(const JobSpec& spec, client::FileSystem& fs, bool output_required);
  // Refuses what no executor could ever run (mu_ held).
  Status CheckPlaceable(const JobSpec& spec) const;
  Status PlanMl(Job* job, client::FileSystem& fs);
  void ApplyDefaults(JobSpec* spec) const;
  int TotalSlots() const;  // mu_ held

  // All below: mu_ held.
  Job* FindJob(const std::string& job_id);
  void ScheduleOn(ExecutorInfo& exec, ExecutorHeartbeatResponse* resp);
  // Whether an executor other than exec has room for a task needing r.
  bool OtherExecutorFits(const ExecutorInfo& exec, const ComputeResources& r) const;
  TaskSpec LaunchAttempt(Job& job, ExecutorInfo& exec, const Assignment& a);
  // A new running attempt of task on exec holding `resources` (Reserve fills its devices).
  AttemptInfo& StartAttempt(Job& job, TaskInfo& task, ExecutorInfo& exec, ComputeResources resources,
                            Locality locality, bool speculative);
  // The TaskSpec fields every attempt has.
  TaskSpec BaseTaskSpec(const Job& job, const TaskInfo& task, const AttemptInfo& attempt) const;
  // Sends launches queued for exec (gang workers placed from elsewhere) with this reply.
  void DeliverPendingLaunches(ExecutorInfo& exec, ExecutorHeartbeatResponse* resp);
  void ApplyUpdate(ExecutorInfo& exec, const AttemptUpdate& u, ExecutorHeartbeatResponse* resp);
  void OnAttemptEnded(Job& job, TaskInfo& task, AttemptInfo& attempt);
  void OnAttemptSucceeded(Job& job, TaskInfo& task, int attempt_index);
  void OnAttemptFailed(Job& job, TaskInfo& task, AttemptInfo& attempt);
  void OnFetchFailures(Job& job, TaskInfo& reduce, const AttemptInfo& attempt,
                       const google::protobuf::RepeatedField<int32_t>& maps);
  void RerunMap(Job& job, TaskInfo& map, const std::string& why);
  void KillOtherAttempts(TaskInfo& task, int keep, const std::string& why);
  void KillAttempt(AttemptInfo& attempt, const std::string& why);
  void ReleaseResources(const AttemptInfo& attempt);
  void EndJob(Job& job, JobState state, std::string diagnostics);
  void MaybeFinishJob(Job& job);
  void LoseExecutor(const std::string& executor_id, const std::string& why);

  // Gang jobs (job_master_gang.cc); mu_ held unless said otherwise.
  Status PlanGang(Job* job, client::FileSystem& fs);  // no lock
  void TryStartGang(Job& job);
  void OnGangAttemptEnded(Job& job, TaskInfo& task, AttemptInfo& attempt);
  void RestartGang(Job& job, const std::string& why);
  void DoCommitGang(const CommitWork& work);  // committer thread, no lock

  void MonitorLoop();
  void CommitLoop();
  void DoCommitTask(const CommitWork& work);
  void DoFinishJob(const CommitWork& work);

  const JobMasterSettings settings_;
  const SchedulerSettings scheduler_;
  std::unique_ptr<HistoryStore> history_store_;
  int64_t start_ms_ = 0;
  std::unique_ptr<JobMasterServices> services_;
  MlFanout ml_fanout_;                        // steps to ML workers (own lock)
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  std::mutex fs_mu_;
  // By user (simple mode) or by delegation token (kerberos mode); guarded by fs_mu_.
  std::map<std::string, std::unique_ptr<client::FileSystem>> fs_by_user_;
  std::mutex own_mu_;
  std::unique_ptr<client::FileSystem> own_fs_;  // kerberos: the job master's own login; guarded by own_mu_
  int64_t own_login_mono_ms_ = 0;               // guarded by own_mu_: when its ticket was got
  int64_t own_ticket_lifetime_ms_ = 0;          // guarded by own_mu_: and how long it lives
  std::string admin_user_;
  std::unique_ptr<AuthToLocal> auth_to_local_;  // kerberos mode
  std::unique_ptr<GrpcLogin> login_;            // kerberos mode: clients' logins

  BoundedQueue<CommitWork> commits_{1 << 16};
  std::thread committer_;
  std::thread monitor_;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                                     // guarded by mu_
  int next_job_seq_ = 1;                                      // guarded by mu_
  int next_gang_port_ = 0;                                    // guarded by mu_: offset in the gang port range
  std::map<std::string, std::unique_ptr<Job>> jobs_;          // guarded by mu_: in-memory jobs, by id
  std::vector<std::string> job_order_;                        // guarded by mu_: running jobs, FIFO
  std::map<std::string, ExecutorInfo> executors_;             // guarded by mu_: live executors, by id
  std::map<std::string, AttemptRef> attempt_index_;           // guarded by mu_
  std::map<std::string, JobReport> history_;                  // guarded by mu_: finished jobs (with tasks)
  std::deque<std::string> history_order_;                     // guarded by mu_: oldest first
};

}  // namespace cairn::compute
