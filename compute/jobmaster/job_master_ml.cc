// JobMaster: ML jobs. An ML job's map tasks are loads: each hands its split to the ML
// worker of the executor it runs on (placed data-local like any map). Once every
// partition is loaded the job's driver (`cairn ml ...`, ClusterStepRunner) sends steps:
// MlStep fans a step out to the workers holding the partitions (MlFanout) and returns the
// sum of their partials. A worker that cannot be reached loses its partitions: their
// tasks run again (elsewhere if its node is gone) and the step fails as Unavailable, which
// the driver retries once the partitions are back. MlFinish ends the job; a driver that
// goes silent for ml_idle_timeout_ms fails it, so its workers never linger.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/path.h"
#include "compute/ids.h"
#include "compute/jobmaster/input_planner.h"
#include "compute/jobmaster/job_master.h"

namespace cairn::compute {

Status JobMaster::PlanMl(Job* job, client::FileSystem& fs) {
  JobSpec& spec = job->spec;
  if (spec.ml().format().features() == 0) return InvalidArgument("an ML job needs its data format");
  const std::string& out = spec.output_path();
  RETURN_IF_ERROR(CheckJobPaths(spec, fs, /*output_required=*/false));
  if (!out.empty()) RETURN_IF_ERROR(fs.Mkdirs(out).WithContext("creating the output directory"));
  ASSIGN_OR_RETURN(PlannedInput input, PlanInput(fs, spec));
  if (input.splits.empty()) return InvalidArgument("the input has no data");
  job->num_reducers = 0;
  for (size_t i = 0; i < input.splits.size(); ++i) {
    TaskInfo t;
    t.type = MAP;
    t.index = static_cast<int>(i);
    t.split = std::move(input.splits[i]);
    job->maps.push_back(std::move(t));
  }
  return Status::OK();
}

Result<MlStepResponse> JobMaster::MlStep(const MlStepRequest& req, const std::string& user) {
  std::map<std::string, std::vector<int32_t>> by_worker;
  std::string job_id = req.job_id();
  {
    std::lock_guard lock(mu_);
    Job* job = FindJob(job_id);
    if (job == nullptr) return NotFound("no running job {}", job_id);
    if (job->spec.kind() != JobSpec::ML) return InvalidArgument("job {} is not an ML job", job_id);
    if (user != job->spec.user()) return PermissionDenied("{} may not drive {}'s job {}", user, job->spec.user(), job_id);
    if (job->state != JOB_RUNNING || job->finalizing || job->ml_finished)
      return Aborted("job {} is over: {}", job_id, job->diagnostics.empty() ? JobStateName(job->state) : job->diagnostics);
    job->ml_active_mono_ms = MonotonicMillis();
    int loaded = 0;
    for (const TaskInfo& t : job->maps) {
      const AttemptInfo* w = t.winner();
      if (t.state == TASK_SUCCEEDED && w != nullptr && !w->ml_worker.empty()) {
        by_worker[w->ml_worker].push_back(t.index);
        ++loaded;
      }
    }
    if (loaded < static_cast<int>(job->maps.size()))
      return Unavailable("{} of {} partitions of job {} are loaded", loaded, job->maps.size(), job_id);
    ++job->ml_steps_in_flight;
  }
  MlFanout::Outcome out = ml_fanout_.Run(job_id, req.command(), by_worker, settings_.ml_step_timeout_ms);
  std::lock_guard lock(mu_);
  Job* job = FindJob(job_id);
  if (job != nullptr) --job->ml_steps_in_flight;
  if (job == nullptr || job->state != JOB_RUNNING || job->finalizing) return Aborted("job {} ended during the step", job_id);
  job->ml_active_mono_ms = MonotonicMillis();
  if (!out.failed.empty()) {
    for (const std::string& address : out.failed) {
      ml_fanout_.Forget(address);
      for (TaskInfo& t : job->maps) {
        const AttemptInfo* w = t.winner();
        if (t.state == TASK_SUCCEEDED && w != nullptr && w->ml_worker == address)
          RerunMap(*job, t, "its ML worker " + address + " is unreachable");
      }
    }
    return Unavailable("{}; its partitions are being loaded again", out.error.ToString());
  }
  if (!out.error.ok()) return out.error;
  ++job->ml_steps;
  job->job_counters.Add("ml_steps", 1);
  for (const auto& [name, v] : out.sum.counters()) job->job_counters.Add(name, v);
  MlStepResponse resp;
  *resp.mutable_partial() = std::move(out.sum);
  resp.set_workers(static_cast<int32_t>(by_worker.size()));
  return resp;
}

Status JobMaster::MlFinish(const MlFinishRequest& req, const std::string& user) {
  std::lock_guard lock(mu_);
  Job* job = FindJob(req.job_id());
  if (job == nullptr) return Status::OK();  // already over
  if (job->spec.kind() != JobSpec::ML) return InvalidArgument("job {} is not an ML job", req.job_id());
  if (user != job->spec.user()) return PermissionDenied("{} may not end {}'s job {}", user, job->spec.user(), req.job_id());
  if (!req.succeeded()) {
    EndJob(*job, JOB_FAILED, req.diagnostics().empty() ? "the ML driver failed" : req.diagnostics());
    return Status::OK();
  }
  job->ml_finished = true;
  MaybeFinishJob(*job);
  return Status::OK();
}

void JobMaster::ExpireIdleMlJobs() {
  std::lock_guard lock(mu_);
  const int64_t now = MonotonicMillis();
  for (const std::string& id : std::vector<std::string>(job_order_)) {
    Job* job = FindJob(id);
    if (job == nullptr || job->spec.kind() != JobSpec::ML || job->state != JOB_RUNNING || job->finalizing) continue;
    if (job->ml_steps_in_flight > 0) continue;  // a long step is not an idle driver
    if (now - job->ml_active_mono_ms > settings_.ml_idle_timeout_ms)
      EndJob(*job, JOB_FAILED, fmt::format("its ML driver sent nothing for {} ms", settings_.ml_idle_timeout_ms));
  }
}

}  // namespace cairn::compute
