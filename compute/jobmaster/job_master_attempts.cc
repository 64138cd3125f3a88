// JobMaster: what an attempt's end means for its task and job — success (commit or map
// output ready), failure (retry elsewhere, or fail the job after max_attempts), kills,
// lost map output (re-run the map), and the end of a job.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "compute/ids.h"
#include "compute/jobmaster/job_master.h"

namespace cairn::compute {

void JobMaster::OnAttemptEnded(Job& job, TaskInfo& task, AttemptInfo& attempt) {
  if (job.state != JOB_RUNNING || job.finalizing) return;
  if (job.gang) {
    OnGangAttemptEnded(job, task, attempt);
    return;
  }
  switch (attempt.state) {
    case ATTEMPT_SUCCEEDED:
      OnAttemptSucceeded(job, task, static_cast<int>(&attempt - task.attempts.data()));
      break;
    case ATTEMPT_FAILED:
      OnAttemptFailed(job, task, attempt);
      break;
    case ATTEMPT_KILLED:
      job.job_counters.Add(counter::kKilledAttempts, 1);
      if (task.state == TASK_RUNNING && task.running_attempts() == 0 && !task.committing) task.state = TASK_PENDING;
      break;
    case ATTEMPT_RUNNING:
      break;
  }
}

void JobMaster::OnAttemptSucceeded(Job& job, TaskInfo& task, int index) {
  AttemptInfo& attempt = task.attempts[index];
  if (task.state == TASK_SUCCEEDED || task.committing) {
    attempt.state = ATTEMPT_KILLED;
    attempt.diagnostics = "another attempt of the task finished first";
    job.job_counters.Add(counter::kKilledAttempts, 1);
    return;
  }
  KillOtherAttempts(task, index, "another attempt of the task finished first");
  // Maps feeding reducers, and ML loads (their partition now lives in a worker), have no
  // output to commit.
  if (task.type == MAP && (job.num_reducers > 0 || job.spec.kind() == JobSpec::ML)) {
    task.state = TASK_SUCCEEDED;
    task.succeeded = index;
    task.done_mono_ms = MonotonicMillis();
    MaybeFinishJob(job);
    return;
  }
  // Reduce output, or map output of a map-only job: rename it into place first.
  task.committing = true;
  if (!commits_.TryPush(CommitWork{CommitWork::kCommitTask, job.id, task.type, task.index, index})) {
    task.committing = false;
    attempt.state = ATTEMPT_FAILED;
    attempt.diagnostics = "the job master's commit queue is full";
    OnAttemptFailed(job, task, attempt);
  }
}

void JobMaster::OnAttemptFailed(Job& job, TaskInfo& task, AttemptInfo& attempt) {
  job.job_counters.Add(counter::kFailedAttempts, 1);
  if (task.type == REDUCE && !attempt.fetch_failed_maps.empty() && task.fetch_reruns < settings_.fetch_failure_reruns) {
    OnFetchFailures(job, task, attempt, attempt.fetch_failed_maps);
    return;
  }
  ++task.failures;
  task.failed_nodes.insert(attempt.node);
  spdlog::info("{} failed on {} ({} of {} attempts): {}", attempt.id, attempt.node, task.failures,
               job.spec.max_attempts(), OneLine(attempt.diagnostics, 300));
  if (task.failures >= static_cast<int>(job.spec.max_attempts())) {
    EndJob(job, JOB_FAILED,
           fmt::format("{} task {} failed {} times; last attempt {} on {}: {}", TaskTypeName(task.type), task.id,
                       task.failures, attempt.id, attempt.node, OneLine(attempt.diagnostics)));
    return;
  }
  if (task.state == TASK_RUNNING && task.running_attempts() == 0 && !task.committing) task.state = TASK_PENDING;
}

void JobMaster::OnFetchFailures(Job& job, TaskInfo& reduce, const AttemptInfo& attempt,
                                const google::protobuf::RepeatedField<int32_t>& maps) {
  ++reduce.fetch_reruns;
  for (int m : maps) {
    if (m < 0 || m >= static_cast<int>(job.maps.size())) continue;
    TaskInfo& map = job.maps[m];
    if (map.state == TASK_SUCCEEDED) RerunMap(job, map, "reduce attempt " + attempt.id + " could not fetch its output");
  }
  if (reduce.state == TASK_RUNNING && reduce.running_attempts() == 0) reduce.state = TASK_PENDING;
}

void JobMaster::RerunMap(Job& job, TaskInfo& map, const std::string& why) {
  if (map.succeeded >= 0) {
    AttemptInfo& old = map.attempts[map.succeeded];
    old.state = ATTEMPT_KILLED;
    old.diagnostics = "output lost: " + why;
  }
  map.succeeded = -1;
  map.done_mono_ms = 0;
  map.state = map.running_attempts() > 0 ? TASK_RUNNING : TASK_PENDING;
  job.job_counters.Add(counter::kRerunMaps, 1);
  spdlog::info("{}: running map {} again: {}", job.id, map.id, why);
}

void JobMaster::KillAttempt(AttemptInfo& attempt, const std::string& why) {
  if (attempt.state != ATTEMPT_RUNNING) return;
  attempt.state = ATTEMPT_KILLED;
  attempt.diagnostics = why;
  attempt.finish_ms = WallMillis();
  ReleaseResources(attempt);
  auto it = executors_.find(attempt.executor_id);
  if (it != executors_.end()) it->second.to_kill.insert(attempt.id);
}

void JobMaster::KillOtherAttempts(TaskInfo& task, int keep, const std::string& why) {
  for (int i = 0; i < static_cast<int>(task.attempts.size()); ++i) {
    if (i != keep && task.attempts[i].state == ATTEMPT_RUNNING) KillAttempt(task.attempts[i], why);
  }
}

void JobMaster::EndJob(Job& job, JobState state, std::string diagnostics) {
  if (job.state != JOB_RUNNING || job.finalizing) return;
  job.state = state;
  job.diagnostics = std::move(diagnostics);
  spdlog::info("job {} {}: {}", job.id, JobStateName(state), job.diagnostics);
  for (auto* tasks : {&job.maps, &job.reduces}) {
    for (TaskInfo& t : *tasks) {
      for (AttemptInfo& a : t.attempts) KillAttempt(a, "the job ended (" + std::string(JobStateName(state)) + ")");
      if (t.state == TASK_PENDING || t.state == TASK_RUNNING) t.state = TASK_KILLED;
    }
  }
  job.finalizing = true;
  job_order_.erase(std::remove(job_order_.begin(), job_order_.end(), job.id), job_order_.end());
  if (!commits_.TryPush(CommitWork{CommitWork::kFinishJob, job.id})) spdlog::error("commit queue full finishing {}", job.id);
}

void JobMaster::MaybeFinishJob(Job& job) {
  if (job.state != JOB_RUNNING || job.finalizing) return;
  if (job.spec.kind() == JobSpec::ML && !job.ml_finished) return;  // its driver ends it
  if (job.gang && !job.gang->committed) return;                     // its workers' output first
  for (const auto* tasks : {&job.maps, &job.reduces}) {
    for (const TaskInfo& t : *tasks) {
      if (t.state != TASK_SUCCEEDED) return;
    }
  }
  job.finalizing = true;
  job_order_.erase(std::remove(job_order_.begin(), job_order_.end(), job.id), job_order_.end());
  if (!commits_.TryPush(CommitWork{CommitWork::kFinishJob, job.id})) spdlog::error("commit queue full finishing {}", job.id);
}

}  // namespace cairn::compute
