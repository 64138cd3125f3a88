// JobMaster: executors — registration, heartbeats (attempt updates in, launches and kills
// out), placement of tasks on offered slots, and executors that go silent.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/socket.h"
#include "compute/ids.h"
#include "compute/jobmaster/job_master.h"
#include "compute/jobmaster/resource_fit.h"

namespace cairn::compute {

Result<RegisterExecutorResponse> JobMaster::RegisterExecutor(const RegisterExecutorRequest& req,
                                                             const std::string& peer) {
  if (!IsSafeId(req.executor_id())) return InvalidArgument("bad executor id '{}'", req.executor_id());
  if (req.node().empty() || req.shuffle_address().empty())
    return InvalidArgument("executor {} registered without its node or shuffle address", req.executor_id());
  if (settings_.security.kerberos()) {
    auto node = HostPort::Parse(req.node());
    if (!node.ok() || node->host != peer)
      return PermissionDenied("executor {} registers for node {} from {}: an executor registers from its own node",
                              req.executor_id(), req.node(), peer);
  }
  // The namenode knows which rack the node is in; the executor's hint is the fallback.
  // (In kerberos mode the report needs the superuser, which the job master's own login is
  // not: the datanode's hint, its --datanode_rack, is then what counts.)
  std::string rack = req.rack_hint();
  if (!settings_.security.kerberos()) {
    auto fs = FsFor("", "");
    auto report = fs.ok() ? (*fs)->GetDatanodeReport() : fs.status();
    if (report.ok()) {
      for (const auto& dn : *report) {
        if (dn.address == req.node() && !dn.rack.empty()) rack = dn.rack;
      }
    }
  }
  std::lock_guard lock(mu_);
  for (auto it = executors_.begin(); it != executors_.end();) {
    auto next = std::next(it);
    if (it->second.node == req.node() && it->first != req.executor_id())
      LoseExecutor(it->first, "a new executor registered for its node " + req.node());
    it = next;
  }
  ExecutorInfo& e = executors_[req.executor_id()];
  e.id = req.executor_id();
  e.node = req.node();
  e.hostname = req.hostname();
  e.rack = rack;
  e.shuffle_address = req.shuffle_address();
  e.peer = peer;
  e.total = req.total();
  e.last_heartbeat_mono_ms = MonotonicMillis();
  spdlog::info("executor {} registered: node {} rack {} shuffle {} ({} slots, {}, {} GPUs)", e.id, e.node, e.rack,
               e.shuffle_address, e.total.cpu_slots(), FormatByteSize(e.total.memory_bytes()), e.total.gpu_ids_size());
  return RegisterExecutorResponse();
}

std::vector<ExecutorReport> JobMaster::ListExecutors() const {
  std::vector<ExecutorReport> out;
  std::lock_guard lock(mu_);
  const int64_t now = MonotonicMillis();
  for (const auto& [id, e] : executors_) {
    ExecutorReport& r = out.emplace_back();
    r.set_executor_id(id);
    r.set_node(e.node);
    r.set_rack(e.rack);
    r.set_shuffle_address(e.shuffle_address);
    *r.mutable_total() = e.total;
    r.set_used_slots(e.used_slots);
    r.set_used_memory(e.used_memory);
    r.set_running_attempts(static_cast<uint32_t>(e.running.size()));
    r.set_last_heartbeat_ms_ago(now - e.last_heartbeat_mono_ms);
    r.set_used_gpus(UsedGpus(e));
  }
  return out;
}

Result<ExecutorHeartbeatResponse> JobMaster::Heartbeat(const ExecutorHeartbeatRequest& req, const std::string& peer) {
  ExecutorHeartbeatResponse resp;
  std::lock_guard lock(mu_);
  auto it = executors_.find(req.executor_id());
  if (it == executors_.end()) {
    resp.set_reregister(true);
    return resp;
  }
  ExecutorInfo& exec = it->second;
  if (settings_.security.kerberos() && peer != exec.peer)
    return PermissionDenied("executor {} registered from {} and heartbeats from {}", exec.id, exec.peer, peer);
  exec.last_heartbeat_mono_ms = MonotonicMillis();
  ++exec.heartbeats;
  std::set<std::string> reported;
  for (const AttemptUpdate& u : req.attempts()) {
    reported.insert(u.attempt_id());
    ApplyUpdate(exec, u, &resp);
  }
  // An attempt launched in an earlier reply that the executor does not mention never started.
  std::vector<std::string> missing;
  for (const std::string& id : exec.running) {
    auto ref = attempt_index_.find(id);
    if (reported.count(id) || ref == attempt_index_.end()) continue;
    Job* job = FindJob(ref->second.job_id);
    if (job == nullptr) continue;
    AttemptInfo& a = job->task(ref->second.type, ref->second.task).attempts[ref->second.attempt];
    if (a.state == ATTEMPT_RUNNING && a.launch_heartbeat < exec.heartbeats) missing.push_back(id);
  }
  for (const std::string& id : missing) {
    const AttemptRef ref = attempt_index_[id];
    Job& job = *FindJob(ref.job_id);
    TaskInfo& task = job.task(ref.type, ref.task);
    AttemptInfo& a = task.attempts[ref.attempt];
    a.state = ATTEMPT_KILLED;
    a.diagnostics = "the executor did not start it";
    a.finish_ms = WallMillis();
    ReleaseResources(a);
    OnAttemptEnded(job, task, a);
  }
  for (const std::string& job_id : req.jobs_with_data()) {
    Job* job = FindJob(job_id);
    if (job == nullptr || job->state != JOB_RUNNING || job->finalizing) resp.add_finished_jobs(job_id);
  }
  for (const std::string& id : exec.to_kill) resp.add_kill_attempts(id);
  exec.to_kill.clear();
  if (!stopping_) ScheduleOn(exec, &resp);
  return resp;
}

bool JobMaster::OtherExecutorFits(const ExecutorInfo& exec, const ComputeResources& r) const {
  for (const auto& entry : executors_) {
    if (entry.second.id != exec.id && entry.second.Fits(r)) return true;
  }
  return false;
}

void JobMaster::ScheduleOn(ExecutorInfo& exec, ExecutorHeartbeatResponse* resp) {
  const int64_t now = MonotonicMillis();
  // Copy: a gang start may run while jobs are being iterated (it never ends one, but keep
  // the loop independent of job_order_ changes).
  const std::vector<std::string> order = job_order_;
  for (const std::string& job_id : order) {
    Job* job = FindJob(job_id);
    if (job == nullptr || job->state != JOB_RUNNING || job->finalizing) continue;
    if (job->gang) {
      TryStartGang(*job);
      continue;
    }
    const ComputeResources& wants = job->spec.task_resources();
    if (!exec.Fits(wants)) continue;
    // Only nodes whose executor could ever run the job's tasks (GPUs) count for locality.
    std::set<std::string> capable_nodes;
    for (const auto& [id, e] : executors_) {
      if (CanEverFit(e.total, wants)) capable_nodes.insert(e.node);
    }
    while (exec.Fits(wants)) {
      std::optional<Assignment> a = ChooseTask(*job, exec, capable_nodes, now, scheduler_);
      if (!a) break;
      *resp->add_launch() = LaunchAttempt(*job, exec, *a);
      // Reduces are spread over the nodes: one per heartbeat here while another executor
      // has room (its next heartbeat, at most an interval away, takes the next one).
      if (a->type == REDUCE && OtherExecutorFits(exec, job->spec.task_resources())) break;
    }
  }
  DeliverPendingLaunches(exec, resp);
}

void JobMaster::DeliverPendingLaunches(ExecutorInfo& exec, ExecutorHeartbeatResponse* resp) {
  for (TaskSpec& spec : exec.pending_launches) {
    auto ref = attempt_index_.find(spec.attempt_id());
    if (ref == attempt_index_.end()) continue;
    Job* job = FindJob(ref->second.job_id);
    if (job == nullptr) continue;
    AttemptInfo& a = job->task(ref->second.type, ref->second.task).attempts[ref->second.attempt];
    if (a.state != ATTEMPT_RUNNING) continue;  // killed before it was sent
    a.launch_heartbeat = exec.heartbeats;
    *resp->add_launch() = std::move(spec);
  }
  exec.pending_launches.clear();
}

AttemptInfo& JobMaster::StartAttempt(Job& job, TaskInfo& task, ExecutorInfo& exec, ComputeResources resources,
                                     Locality locality, bool speculative) {
  const int number = static_cast<int>(task.attempts.size());
  AttemptInfo& attempt = task.attempts.emplace_back();
  attempt.id = MakeAttemptId(task.id, number);
  attempt.executor_id = exec.id;
  attempt.node = exec.node;
  attempt.start_ms = WallMillis();
  attempt.start_mono_ms = MonotonicMillis();
  attempt.launch_heartbeat = exec.heartbeats;
  attempt.locality = locality;
  attempt.speculative = speculative;
  attempt.status = "starting";
  Reserve(exec, &resources);
  attempt.resources = std::move(resources);
  task.state = TASK_RUNNING;
  exec.running.insert(attempt.id);
  attempt_index_[attempt.id] = AttemptRef{job.id, task.type, task.index, number};
  return attempt;
}

TaskSpec JobMaster::BaseTaskSpec(const Job& job, const TaskInfo& task, const AttemptInfo& attempt) const {
  TaskSpec spec;
  spec.set_job_id(job.id);
  spec.set_task_id(task.id);
  spec.set_attempt_id(attempt.id);
  spec.set_type(task.type);
  spec.set_index(task.index);
  *spec.mutable_job() = job.spec;
  spec.set_num_reducers(job.num_reducers);
  *spec.mutable_resources() = attempt.resources;
  spec.set_locality(attempt.locality);
  spec.set_timeout_ms(job.spec.task_timeout_ms());
  spec.set_user(job.spec.user());
  spec.set_shuffle_secret(job.shuffle_secret);
  spec.set_delegation_token(job.delegation_token);
  return spec;
}

TaskSpec JobMaster::LaunchAttempt(Job& job, ExecutorInfo& exec, const Assignment& a) {
  TaskInfo& task = job.task(a.type, a.index);
  AttemptInfo& attempt = StartAttempt(job, task, exec, job.spec.task_resources(), a.locality, a.speculative);

  if (a.type == MAP) {
    job.job_counters.Add(counter::kLaunchedMaps, 1);
    job.job_counters.Add(a.locality == NODE_LOCAL   ? counter::kDataLocalMaps
                         : a.locality == RACK_LOCAL ? counter::kRackLocalMaps
                                                    : counter::kRemoteMaps,
                         1);
  } else {
    job.job_counters.Add(counter::kLaunchedReduces, 1);
  }
  if (a.speculative) job.job_counters.Add(counter::kSpeculativeAttempts, 1);

  TaskSpec spec = BaseTaskSpec(job, task, attempt);
  spec.set_output_dir(job.temp_dir + "/" + attempt.id);
  if (a.type == MAP) {
    *spec.mutable_split() = task.split;
    for (const auto& b : job.partition_bounds) spec.add_partition_bounds(b);
  } else {
    for (const TaskInfo& m : job.maps) {
      const AttemptInfo* w = m.winner();
      MapOutputLocation* loc = spec.add_map_outputs();
      loc->set_map_index(m.index);
      loc->set_attempt_id(w->id);
      loc->set_executor_id(w->executor_id);
      auto e = executors_.find(w->executor_id);
      loc->set_shuffle_address(e != executors_.end() ? e->second.shuffle_address : "");
    }
  }
  spdlog::debug("launching {} on {} ({})", attempt.id, exec.node, LocalityName(a.locality));
  return spec;
}

void JobMaster::ReleaseResources(const AttemptInfo& attempt) {
  auto it = executors_.find(attempt.executor_id);
  if (it == executors_.end() || !it->second.running.erase(attempt.id)) return;
  Release(it->second, attempt.resources);
}

void JobMaster::ApplyUpdate(ExecutorInfo& exec, const AttemptUpdate& u, ExecutorHeartbeatResponse* resp) {
  auto ref = attempt_index_.find(u.attempt_id());
  if (ref == attempt_index_.end()) {
    // Not ours (a job that ended, or a job master restart): it must not go on.
    if (u.state() == ATTEMPT_RUNNING) resp->add_kill_attempts(u.attempt_id());
    return;
  }
  Job* job = FindJob(ref->second.job_id);
  if (job == nullptr) return;
  TaskInfo& task = job->task(ref->second.type, ref->second.task);
  AttemptInfo& a = task.attempts[ref->second.attempt];
  if (a.executor_id != exec.id) return;
  if (u.has_progress()) {
    a.progress = u.progress().progress();
    a.status = u.progress().status();
    a.counters = u.progress().counters();
  }
  if (u.state() == ATTEMPT_RUNNING && a.state != ATTEMPT_RUNNING) {
    // Given up on here (its executor was thought lost, or its job ended): stop it there too.
    resp->add_kill_attempts(u.attempt_id());
    return;
  }
  if (u.state() == ATTEMPT_RUNNING || a.state != ATTEMPT_RUNNING) return;
  a.state = u.state();
  a.exit_code = u.exit_code();
  a.diagnostics = u.diagnostics();
  a.stderr_tail = u.stderr_tail();
  a.finish_ms = WallMillis();
  a.output_file = u.progress().output_file();
  // An ML load's worker is reached through its executor (the worker itself listens only
  // on a Unix socket on that node): its shuffle address names it.
  if (!u.progress().ml_worker_address().empty()) a.ml_worker = exec.shuffle_address;
  a.fetch_failed_maps = u.progress().fetch_failed_maps();
  ReleaseResources(a);
  OnAttemptEnded(*job, task, a);
}

void JobMaster::CheckExecutors() {
  std::lock_guard lock(mu_);
  const int64_t now = MonotonicMillis();
  std::vector<std::string> lost;
  for (const auto& [id, e] : executors_) {
    if (now - e.last_heartbeat_mono_ms > settings_.executor_expiry_ms) lost.push_back(id);
  }
  for (const auto& id : lost) LoseExecutor(id, fmt::format("no heartbeat for {} ms", settings_.executor_expiry_ms));
}

void JobMaster::LoseExecutor(const std::string& executor_id, const std::string& why) {
  auto it = executors_.find(executor_id);
  if (it == executors_.end()) return;
  const std::string node = it->second.node;
  spdlog::warn("executor {} on {} lost: {}", executor_id, node, why);
  std::set<std::string> running = it->second.running;
  executors_.erase(it);
  for (const std::string& id : running) {
    auto ref = attempt_index_.find(id);
    if (ref == attempt_index_.end()) continue;
    Job* job = FindJob(ref->second.job_id);
    if (job == nullptr) continue;
    TaskInfo& task = job->task(ref->second.type, ref->second.task);
    AttemptInfo& a = task.attempts[ref->second.attempt];
    if (a.state != ATTEMPT_RUNNING) continue;
    a.state = ATTEMPT_KILLED;
    a.diagnostics = "its executor on " + node + " was lost (" + why + ")";
    a.finish_ms = WallMillis();
    OnAttemptEnded(*job, task, a);
  }
  // Map outputs on the lost node are gone: maps that reducers still need run again.
  for (const std::string& job_id : job_order_) {
    Job* job = FindJob(job_id);
    if (job == nullptr || job->state != JOB_RUNNING || job->finalizing) continue;
    // ML jobs lose the partitions the node's worker held: they are loaded again elsewhere.
    const bool ml = job->spec.kind() == JobSpec::ML;
    if (!ml && job->num_reducers == 0) continue;
    if (!ml && job->reduces_done() == static_cast<int>(job->reduces.size())) continue;
    for (TaskInfo& m : job->maps) {
      const AttemptInfo* w = m.winner();
      if (m.state == TASK_SUCCEEDED && w != nullptr && w->executor_id == executor_id)
        RerunMap(*job, m, "its output was on the lost node " + node);
    }
  }
}

}  // namespace cairn::compute
