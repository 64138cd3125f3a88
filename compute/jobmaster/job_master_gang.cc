// JobMaster: gang (barrier) jobs. A gang's workers are the job's map tasks, one per rank.
// The whole gang is placed at once (gang_placement.h) from whichever executor's heartbeat
// finds room for all of it; every worker's resources are reserved together and each
// worker's launch waits in its executor's pending_launches until that executor's next
// heartbeat, so either all workers start or none does. Until then the job shows why it
// waits (pending_reason). A worker that fails or is lost stops the whole gang; it starts
// again (fresh attempts, a fresh placement and ports) up to gang_max_restarts times. When
// every worker has succeeded, their output directories are renamed into place as
// <output>/rank-NNNNN, then the job finishes like any other.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/path.h"
#include "compute/ids.h"
#include "compute/jobmaster/gang_placement.h"
#include "compute/jobmaster/input_planner.h"
#include "compute/jobmaster/job_master.h"
#include "compute/jobmaster/resource_fit.h"
#include "compute/jobmaster/scheduler.h"

namespace cairn::compute {

namespace {

std::string RankDirName(int rank) { return fmt::format("rank-{:05d}", rank); }

// TF_CONFIG of one worker: the whole cluster of workers and this worker's index.
std::string TfConfig(const std::vector<std::string>& workers, int rank) {
  std::string list;
  for (const auto& w : workers) list += (list.empty() ? "\"" : ",\"") + w + "\"";
  return fmt::format(R"({{"cluster":{{"worker":[{}]}},"task":{{"type":"worker","index":{}}}}})", list, rank);
}

}  // namespace

Status JobMaster::PlanGang(Job* job, client::FileSystem& fs) {
  JobSpec& spec = job->spec;
  RETURN_IF_ERROR(CheckJobPaths(spec, fs, /*output_required=*/false));
  GangState& gang = job->gang.emplace();
  gang.max_restarts = std::max(0, spec.gang_max_restarts());
  if (spec.input_paths_size() > 0) {
    ASSIGN_OR_RETURN(PlannedInput input, PlanInput(fs, spec));
    gang.splits = std::move(input.splits);
  }
  job->num_reducers = 0;
  if (!spec.output_path().empty()) {
    job->temp_dir = JoinPath(spec.output_path(), "_temporary");
    RETURN_IF_ERROR(fs.Mkdirs(job->temp_dir).WithContext("creating the output directory"));
  }
  for (uint32_t i = 0; i < spec.gang_workers(); ++i) {
    TaskInfo t;
    t.type = MAP;
    t.index = static_cast<int>(i);
    job->maps.push_back(std::move(t));
  }
  return Status::OK();
}

void JobMaster::TryStartGang(Job& job) {
  GangState& gang = *job.gang;
  if (gang.placed) return;
  const int n = static_cast<int>(job.maps.size());
  auto placed = PlaceGang(n, job.spec.task_resources(), gang.splits, executors_);
  if (!placed.ok()) {
    if (gang.pending_reason != placed.status().message())
      spdlog::info("job {}: gang waits: {}", job.id, placed.status().message());
    gang.pending_reason = placed.status().message();
    return;
  }
  std::vector<GangWorker>& workers = *placed;
  gang.placed = true;
  gang.pending_reason.clear();

  // Ports: MASTER_PORT, then one per worker for TF_CONFIG, a fresh block at every start.
  const int range = settings_.gang_port_range;
  const int first = next_gang_port_;
  next_gang_port_ = (next_gang_port_ + n + 1) % range;
  auto port = [&](int k) { return settings_.gang_port_base + (first + k) % range; };
  const std::string master_addr = HostOfAddress(workers[0].node);
  std::vector<std::string> tf_workers;
  for (int r = 0; r < n; ++r) tf_workers.push_back(fmt::format("{}:{}", HostOfAddress(workers[r].node), port(1 + r)));

  uint64_t local = 0, total = 0;
  std::set<std::string> executors_used;
  for (int r = 0; r < n; ++r) {
    const GangWorker& w = workers[r];
    TaskInfo& task = job.maps[r];
    ExecutorInfo& exec = executors_.at(w.executor_id);
    task.gang_splits = w.splits;
    Locality locality = w.splits.empty() ? NO_PREFERENCE : NODE_LOCAL;
    for (int si : w.splits) locality = std::max(locality, LocalityOf(gang.splits[si], exec.node, exec.rack));
    AttemptInfo& attempt = StartAttempt(job, task, exec, job.spec.task_resources(), locality, false);
    attempt.launch_heartbeat = UINT64_MAX;  // set when the launch goes out (DeliverPendingLaunches)
    TaskSpec spec = BaseTaskSpec(job, task, attempt);
    if (!job.temp_dir.empty()) spec.set_output_dir(job.temp_dir + "/" + attempt.id);
    for (int si : w.splits) *spec.add_splits() = gang.splits[si];
    for (std::string e : {fmt::format("RANK={}", r), fmt::format("WORLD_SIZE={}", n),
                          fmt::format("LOCAL_RANK={}", w.local_rank), fmt::format("LOCAL_WORLD_SIZE={}", w.local_world_size),
                          fmt::format("NODE_RANK={}", w.node_rank), fmt::format("GROUP_RANK={}", w.node_rank),
                          fmt::format("MASTER_ADDR={}", master_addr), fmt::format("MASTER_PORT={}", port(0)),
                          "TF_CONFIG=" + TfConfig(tf_workers, r), fmt::format("CAIRN_GANG_RESTART={}", gang.restarts)}) {
      spec.add_env(std::move(e));
    }
    exec.pending_launches.push_back(std::move(spec));
    local += w.local_bytes;
    total += w.bytes;
    executors_used.insert(w.executor_id);
  }
  job.job_counters.Add(counter::kLaunchedWorkers, n);
  job.job_counters.Add(counter::kShardBytesLocal, static_cast<int64_t>(local));
  job.job_counters.Add(counter::kShardBytesRemote, static_cast<int64_t>(total - local));
  spdlog::info("job {}: gang started (start {}): {} workers on {} executors, {} of {} input bytes next to their worker",
               job.id, gang.restarts + 1, n, executors_used.size(), local, total);
}

void JobMaster::OnGangAttemptEnded(Job& job, TaskInfo& task, AttemptInfo& attempt) {
  GangState& gang = *job.gang;
  switch (attempt.state) {
    case ATTEMPT_SUCCEEDED: {
      task.state = TASK_SUCCEEDED;
      task.succeeded = static_cast<int>(&attempt - task.attempts.data());
      task.done_mono_ms = MonotonicMillis();
      for (const TaskInfo& t : job.maps) {
        if (t.state != TASK_SUCCEEDED) return;
      }
      if (job.spec.output_path().empty()) {
        gang.committed = true;
        MaybeFinishJob(job);
        return;
      }
      for (TaskInfo& t : job.maps) t.committing = true;
      if (!commits_.TryPush(CommitWork{CommitWork::kCommitGang, job.id}))
        EndJob(job, JOB_FAILED, "the job master's commit queue is full");
      return;
    }
    case ATTEMPT_FAILED:
      job.job_counters.Add(counter::kFailedAttempts, 1);
      RestartGang(job, fmt::format("worker {} ({}) failed on {}: {}", task.index, attempt.id, attempt.node,
                                   OneLine(attempt.diagnostics, 300)));
      return;
    case ATTEMPT_KILLED:
      job.job_counters.Add(counter::kKilledAttempts, 1);
      RestartGang(job, fmt::format("worker {} ({}) stopped on {}: {}", task.index, attempt.id, attempt.node,
                                   OneLine(attempt.diagnostics, 300)));
      return;
    case ATTEMPT_RUNNING:
      return;
  }
}

void JobMaster::RestartGang(Job& job, const std::string& why) {
  GangState& gang = *job.gang;
  for (TaskInfo& t : job.maps) {
    for (AttemptInfo& a : t.attempts) KillAttempt(a, "the gang stopped: " + why);
    t.state = TASK_PENDING;
    t.succeeded = -1;
    t.committing = false;
  }
  gang.placed = false;
  if (gang.restarts >= gang.max_restarts) {
    EndJob(job, JOB_FAILED,
           fmt::format("{}; the gang has no restarts left ({} of {} used)", why, gang.restarts, gang.max_restarts));
    return;
  }
  ++gang.restarts;
  job.job_counters.Add(counter::kGangRestarts, 1);
  gang.pending_reason = "starting again after: " + why;
  spdlog::info("job {}: restarting the whole gang ({} of {}): {}", job.id, gang.restarts, gang.max_restarts, why);
}

void JobMaster::DoCommitGang(const CommitWork& work) {
  std::string user, token;
  std::vector<std::pair<std::string, std::string>> moves;  // from, to
  {
    std::lock_guard lock(mu_);
    Job* job = FindJob(work.job_id);
    if (job == nullptr || job->state != JOB_RUNNING || job->finalizing) return;
    user = job->spec.user();
    token = job->delegation_token;
    for (const TaskInfo& t : job->maps) {
      const AttemptInfo* w = t.winner();
      moves.emplace_back(w != nullptr ? w->output_file : "", JoinPath(job->spec.output_path(), RankDirName(t.index)));
    }
  }
  Status st;
  auto fs = FsFor(user, token);
  if (!fs.ok()) st = fs.status();
  for (const auto& [from, to] : moves) {
    if (!st.ok()) break;
    st = from.empty() ? Internal("a worker reported no output directory for {}", to) : (*fs)->Rename(from, to);
  }
  std::lock_guard lock(mu_);
  Job* job = FindJob(work.job_id);
  if (job == nullptr) return;
  for (TaskInfo& t : job->maps) t.committing = false;
  if (job->state != JOB_RUNNING || job->finalizing) return;
  if (!st.ok()) {
    EndJob(*job, JOB_FAILED, "committing the workers' output failed: " + st.ToString());
    return;
  }
  job->gang->committed = true;
  MaybeFinishJob(*job);
}

}  // namespace cairn::compute
