#include "compute/executor/ml_workers.h"

#include <spdlog/spdlog.h>

#include "compute/local_files.h"
#include "compute/ml/worker/worker_address.h"

namespace cairn::compute {

Result<std::string> MlWorkers::Ensure(const TaskSpec& spec, const std::string& job_dir) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(spec.job_id());
  if (it != workers_.end()) return it->second.dir;
  const std::string dir = job_dir + "/ml-worker";
  RETURN_IF_ERROR(options_.confinement != nullptr ? options_.confinement->RemoveTaskFiles(dir) : RemoveTree(dir));
  RETURN_IF_ERROR(MakeDirectories(dir));
  const MlJobSpec& ml = spec.job().ml();
  const uint64_t cache = ml.worker_cache_bytes() > 0 ? ml.worker_cache_bytes() : options_.default_cache_bytes;
  TaskProcessOptions o;
  o.binary = options_.binary;
  o.args = {"--ml_worker_dir=" + dir, "--ml_worker_cache_bytes=" + std::to_string(cache)};
  if (!ml.backend().empty()) o.args.push_back("--ml_worker_backend=" + ml.backend());
  o.work_dir = dir;
  o.stdout_path = dir + "/stdout.log";
  o.stderr_path = dir + "/stderr.log";
  std::string gpus;
  for (int id : spec.resources().gpu_ids()) gpus += (gpus.empty() ? "" : ",") + std::to_string(id);
  o.extra_env = {"MALLOC_ARENA_MAX=2", "CUDA_VISIBLE_DEVICES=" + gpus};
  TaskCgroup cgroup;
  if (options_.confinement != nullptr) {
    CgroupLimits limits{cache + spec.resources().memory_bytes() + (512ull << 20), 0};
    ASSIGN_OR_RETURN(cgroup, options_.confinement->Apply("ml-" + spec.job_id(), limits, spec.user(), &o));
    o.memory_limit_bytes = 0;  // never RLIMIT_DATA here: CUDA reserves far more address space than it uses
  }
  ASSIGN_OR_RETURN(TaskProcess process, TaskProcess::Launch(o));
  spdlog::info("executor: started the ML worker of {} (pid {}{})", spec.job_id(), process.pid(),
               gpus.empty() ? "" : ", GPUs " + gpus);
  workers_[spec.job_id()] = Worker{std::move(cgroup), std::move(process), dir};
  return dir;
}

void MlWorkers::StopJob(const std::string& job_id) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(job_id);
  if (it == workers_.end()) return;
  it->second.process.Kill();
  workers_.erase(it);  // TaskProcess reaps on destruction
}

void MlWorkers::StopAll() {
  std::lock_guard lock(mu_);
  for (auto& [job, w] : workers_) w.process.Kill();
  workers_.clear();
}

void MlWorkers::Reap() {
  std::lock_guard lock(mu_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    auto r = it->second.process.Poll();
    if (!r.ok() || r->has_value()) {
      spdlog::warn("executor: the ML worker of {} exited ({}); see {}/stderr.log", it->first,
                   r.ok() ? std::to_string(**r) : r.status().ToString(), it->second.dir);
      (void)RemoveTree(it->second.dir + "/address");
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<std::string> MlWorkers::AddressOf(const std::string& job_id) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(job_id);
  if (it == workers_.end()) return NotFound("no ML worker of {} on this node", job_id);
  return ml::MlWorkerAddress(it->second.dir);
}

}  // namespace cairn::compute
