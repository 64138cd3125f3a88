// JobMaster: the committer thread. Task commit renames the winning attempt's part file
// from <output>/_temporary/<attempt>/ into <output>/ (one namenode rename, atomic); job
// completion removes _temporary, writes _SUCCESS for a successful job and saves the job
// to the history. All of it runs here, off the job master's lock.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/path.h"
#include "compute/ids.h"
#include "compute/jobmaster/job_master.h"

namespace cairn::compute {

void JobMaster::CommitLoop() {
  while (auto work = commits_.Pop()) {
    switch (work->kind) {
      case CommitWork::kCommitTask:
        DoCommitTask(*work);
        break;
      case CommitWork::kCommitGang:
        DoCommitGang(*work);
        break;
      case CommitWork::kFinishJob:
        DoFinishJob(*work);
        break;
    }
  }
}

void JobMaster::DoCommitTask(const CommitWork& work) {
  std::string user, token, from, to;
  {
    std::lock_guard lock(mu_);
    Job* job = FindJob(work.job_id);
    if (job == nullptr) return;
    TaskInfo& task = job->task(work.type, work.task);
    if (job->state != JOB_RUNNING || job->finalizing) {
      task.committing = false;
      return;
    }
    user = job->spec.user();
    token = job->delegation_token;
    from = task.attempts[work.attempt].output_file;
    to = JoinPath(job->spec.output_path(), PartFileName(work.type, work.task));
  }
  Status st = from.empty() ? Internal("the attempt reported no output file") : Status::OK();
  if (st.ok()) {
    auto fs = FsFor(user, token);
    st = fs.ok() ? (*fs)->Rename(from, to) : fs.status();
  }
  std::lock_guard lock(mu_);
  Job* job = FindJob(work.job_id);
  if (job == nullptr) return;
  TaskInfo& task = job->task(work.type, work.task);
  task.committing = false;
  if (job->state != JOB_RUNNING || job->finalizing) return;
  if (st.ok()) {
    task.state = TASK_SUCCEEDED;
    task.succeeded = work.attempt;
    task.done_mono_ms = MonotonicMillis();
    MaybeFinishJob(*job);
    return;
  }
  AttemptInfo& a = task.attempts[work.attempt];
  a.state = ATTEMPT_FAILED;
  a.diagnostics = "committing its output failed: " + st.ToString();
  OnAttemptFailed(*job, task, a);
}

void JobMaster::DoFinishJob(const CommitWork& work) {
  std::string user, token, output, temp, staging;
  JobState state;
  {
    std::lock_guard lock(mu_);
    Job* job = FindJob(work.job_id);
    if (job == nullptr) return;
    user = job->spec.user();
    token = job->delegation_token;
    output = job->spec.output_path();
    temp = job->temp_dir;
    staging = job->spec.staging_dir();
    state = job->state;
  }
  Status st;
  auto fs = FsFor(user, token);
  if (!fs.ok()) {
    st = fs.status();
  } else {
    if (!staging.empty()) (void)(*fs)->Delete(staging, /*recursive=*/true);
    // ML and gang jobs may have no output at all.
    if (!temp.empty()) {
      auto removed = (*fs)->Delete(temp, /*recursive=*/true);
      if (!removed.ok()) st = removed.status().WithContext("removing " + temp);
    }
    if (st.ok() && state == JOB_RUNNING && !output.empty()) {
      client::CreateOptions options;
      options.overwrite = true;
      auto out = (*fs)->Create(JoinPath(output, "_SUCCESS"), options);
      st = out.ok() ? (*out)->Close() : out.status();
      if (!st.ok()) st = st.WithContext("writing _SUCCESS");
    }
  }
  // The job's delegation token dies with it (Hadoop: mapreduce.job.complete.cancel.delegation.tokens),
  // before anyone can see the job ended.
  ForgetJobToken(token);
  JobReport report;
  std::vector<std::string> forget;
  {
    std::lock_guard lock(mu_);
    Job* job = FindJob(work.job_id);
    if (job == nullptr) return;
    if (job->state == JOB_RUNNING) {
      job->state = st.ok() ? JOB_SUCCEEDED : JOB_FAILED;
      if (!st.ok()) job->diagnostics = "finishing the output failed: " + st.ToString();
      spdlog::info("job {} {}", job->id, JobStateName(job->state));
    } else if (!st.ok()) {
      spdlog::warn("job {}: cleaning up its output: {}", job->id, st.ToString());
    }
    job->finish_ms = WallMillis();
    report = BuildReport(*job, true);
    for (const auto* tasks : {&job->maps, &job->reduces}) {
      for (const TaskInfo& t : *tasks) {
        for (const AttemptInfo& a : t.attempts) {
          // A killed attempt whose end the executor has not confirmed keeps its entry
          // out of the index too: later reports of it are answered with a kill anyway.
          attempt_index_.erase(a.id);
        }
      }
    }
    history_[job->id] = report;
    history_order_.push_back(job->id);
    while (static_cast<int>(history_order_.size()) > settings_.history_max_jobs) {
      forget.push_back(history_order_.front());
      history_.erase(history_order_.front());
      history_order_.pop_front();
    }
    jobs_.erase(work.job_id);
  }
  Status saved = history_store_->Save(report);
  if (!saved.ok()) spdlog::warn("job history: cannot save {}: {}", report.job_id(), saved.ToString());
  for (const auto& id : forget) (void)history_store_->Remove(id);
}

}  // namespace cairn::compute
