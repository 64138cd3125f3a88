#include "compute/executor/executor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <climits>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/tls_credentials.h"
#include "common/whole_file.h"
#include "compute/ids.h"
#include "compute/local_files.h"
#include "compute/resources.h"

namespace cairn::compute {

namespace {
constexpr size_t kStderrTailBytes = 8192;
constexpr int kMaxRegisterBackoffMs = 2000;

// What the task process gets besides the datanode's environment: its own GPUs alone
// (an empty CUDA_VISIBLE_DEVICES hides every device from a task given none) and its share
// of a device when it asked for a fraction.
std::vector<std::string> TaskEnvironmentFor(const TaskSpec& spec) {
  std::vector<std::string> env = {"MALLOC_ARENA_MAX=2"};
  std::string devices;
  for (int id : spec.resources().gpu_ids()) devices += (devices.empty() ? "" : ",") + std::to_string(id);
  env.push_back("CUDA_VISIBLE_DEVICES=" + devices);
  const double fraction = spec.resources().gpu_fraction();
  if (!devices.empty()) env.push_back(fmt::format("CAIRN_GPU_FRACTION={}", fraction > 0 && fraction < 1 ? fraction : 1.0));
  return env;
}

std::string SelfDir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string exe(buf, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}
}  // namespace

Executor::Executor(ExecutorSettings settings, ExecutorIdentity identity, LocalReplicaLookup lookup,
                   std::unique_ptr<JobmasterClient> client)
    : settings_(std::move(settings)),
      identity_(std::move(identity)),
      lookup_(std::move(lookup)),
      client_(std::move(client)),
      heartbeat_interval_ms_(settings_.heartbeat_interval_ms) {}

Result<std::unique_ptr<Executor>> Executor::Start(const ExecutorSettings& settings, ExecutorIdentity identity,
                                                  LocalReplicaLookup lookup, std::unique_ptr<JobmasterClient> client) {
  RETURN_IF_ERROR(settings.Validate());
  if (settings.work_dir.empty()) return InvalidArgument("the executor needs a work dir");
  if (!client) {
    ASSIGN_OR_RETURN(auto credentials, MakeDaemonChannelCredentials(settings.security));
    client = MakeGrpcJobmasterClient(settings.jobmaster, settings.rpc_timeout_ms, std::move(credentials));
  }
  std::unique_ptr<Executor> ex(new Executor(settings, std::move(identity), std::move(lookup), std::move(client)));
  ex->executor_id_ = fmt::format("{}-{}", ex->identity_.datanode_uuid, WallMillis());
  ex->task_binary_ = settings.task_binary.empty() ? SelfDir() + "/cairn-task" : settings.task_binary;
  if (::access(ex->task_binary_.c_str(), X_OK) != 0)
    return NotFound("task binary {} is missing or not executable (--executor_task_binary)", ex->task_binary_);
  ASSIGN_OR_RETURN(ex->confinement_, TaskConfinement::Create(settings));
  // Files of an earlier run belong to jobs the job master no longer tracks here.
  RETURN_IF_ERROR(ex->confinement_->RemoveTaskFiles(settings.work_dir + "/jobs"));
  RETURN_IF_ERROR(MakeDirectories(settings.work_dir + "/jobs"));
  RETURN_IF_ERROR(ex->ProbeTaskAccount());
  spdlog::info("executor: {}", ex->confinement_->Describe());
  MlWorkersOptions ml;
  ml.binary = settings.ml_worker_binary.empty() ? SelfDir() + "/cairn-ml-worker" : settings.ml_worker_binary;
  ml.default_cache_bytes = settings.ml_cache.bytes;
  ml.confinement = ex->confinement_.get();
  ex->ml_workers_ = std::make_unique<MlWorkers>(std::move(ml));
  ex->ml_proxy_ = std::make_unique<MlProxy>(
      settings.security, [workers = ex->ml_workers_.get()](const std::string& job) { return workers->AddressOf(job); });
  ex->shuffle_ = std::make_unique<ShuffleServer>(settings.work_dir, [e = ex.get()](const std::string& job) {
    std::lock_guard lock(e->mu_);
    auto it = e->shuffle_secrets_.find(job);
    return it == e->shuffle_secrets_.end() ? std::string() : it->second;
  });
  ex->shuffle_->AddService(ex->ml_proxy_.get());
  // TLS with the datanode's certificate; reducers are tasks, with no certificate of their own.
  ASSIGN_OR_RETURN(auto shuffle_credentials, MakeServerCredentials(settings.security, ClientCertificates::kOptional));
  RETURN_IF_ERROR(ex->shuffle_->Start(ex->identity_.bind_host, settings.shuffle_port, settings.shuffle_threads,
                                      std::move(shuffle_credentials)));
  ex->heartbeat_thread_ = std::thread([e = ex.get()] { e->HeartbeatLoop(); });
  ex->monitor_thread_ = std::thread([e = ex.get()] { e->MonitorLoop(); });
  spdlog::info("executor {} started (jobmaster {}, work dir {})", ex->executor_id_, settings.jobmaster, settings.work_dir);
  return ex;
}

Executor::~Executor() { Stop(); }

void Executor::Stop() {
  if (stop_.exchange(true)) return;
  if (client_) client_->Shutdown();
  Wake();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
  if (monitor_thread_.joinable()) monitor_thread_.join();
  {
    std::lock_guard lock(mu_);
    for (auto& [id, a] : attempts_) a->process.Kill();
    attempts_.clear();  // TaskProcess reaps on destruction
  }
  if (ml_workers_) ml_workers_->StopAll();
  if (shuffle_) shuffle_->Stop();
}

int Executor::running_attempts() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [id, a] : attempts_) n += a->state == ATTEMPT_RUNNING ? 1 : 0;
  return n;
}

void Executor::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  wake_cv_.notify_all();
}

Status Executor::Register() {
  RegisterExecutorRequest req;
  req.set_executor_id(executor_id_);
  req.set_node(identity_.node);
  req.set_hostname(identity_.hostname);
  req.set_rack_hint(identity_.rack_hint);
  req.set_shuffle_address(fmt::format("{}:{}", identity_.advertise_host, shuffle_->port()));
  NodeResources probed = ProbeNodeResources();
  ComputeResources* total = req.mutable_total();
  total->set_cpu_slots(settings_.cpu_slots > 0 ? static_cast<uint32_t>(settings_.cpu_slots) : probed.cpu_slots);
  total->set_memory_bytes(settings_.memory.bytes > 0 ? settings_.memory.bytes : probed.memory_bytes);
  ASSIGN_OR_RETURN(std::vector<GpuInfo> gpus, SelectGpus(probed.gpus, settings_.gpus, settings_.gpu_ids));
  total->set_gpus(static_cast<uint32_t>(gpus.size()));
  for (const auto& g : gpus) {
    total->add_gpu_ids(g.device_id);
    GpuDevice* d = total->add_gpu_devices();
    d->set_id(g.device_id);
    d->set_name(g.name);
    d->set_memory_bytes(g.memory_bytes);
    d->set_configured(g.configured);
  }
  ASSIGN_OR_RETURN(RegisterExecutorResponse resp, client_->Register(req));
  {
    std::lock_guard lock(mu_);
    if (resp.heartbeat_interval_ms() > 0) heartbeat_interval_ms_ = static_cast<int>(resp.heartbeat_interval_ms());
  }
  spdlog::info("executor {} registered with the job master: {} slots, {}, {} GPUs", executor_id_, total->cpu_slots(),
               FormatByteSize(total->memory_bytes()), total->gpus());
  return Status::OK();
}

void Executor::HeartbeatLoop() {
  int backoff_ms = 100;
  int64_t last_error_log = 0;
  while (!stop_.load()) {
    Status st;
    if (!registered_.load()) {
      st = Register();
      if (st.ok()) {
        registered_ = true;
        backoff_ms = 100;
      }
    }
    if (st.ok()) st = HeartbeatOnce();
    int wait_ms;
    {
      std::lock_guard lock(mu_);
      wait_ms = heartbeat_interval_ms_;
    }
    if (!st.ok()) {
      if (MonotonicMillis() - last_error_log > 30000) {
        spdlog::warn("executor: job master {} not reachable: {}", settings_.jobmaster, st.ToString());
        last_error_log = MonotonicMillis();
      }
      if (!registered_.load()) {
        wait_ms = backoff_ms;
        backoff_ms = std::min(backoff_ms * 2, kMaxRegisterBackoffMs);
      }
    }
    std::unique_lock lock(mu_);
    wake_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return wake_ || stop_.load(); });
    wake_ = false;
  }
}

Status Executor::HeartbeatOnce() {
  ExecutorHeartbeatRequest req;
  req.set_executor_id(executor_id_);
  std::vector<std::pair<std::string, std::string>> running;  // attempt id, dir
  std::vector<std::string> reported_final;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, a] : attempts_) {
      if (a->state == ATTEMPT_RUNNING) {
        running.emplace_back(id, a->dir);
        continue;
      }
      AttemptUpdate* u = req.add_attempts();
      u->set_attempt_id(id);
      u->set_state(a->state);
      *u->mutable_progress() = a->final_progress;
      u->set_exit_code(a->exit_code);
      u->set_diagnostics(a->diagnostics);
      u->set_stderr_tail(a->stderr_tail);
      reported_final.push_back(id);
    }
    for (const auto& job : jobs_with_data_) req.add_jobs_with_data(job);
  }
  for (const auto& [id, dir] : running) {
    AttemptUpdate* u = req.add_attempts();
    u->set_attempt_id(id);
    u->set_state(ATTEMPT_RUNNING);
    TaskProgress progress;
    // The attempt dir belongs to the task's account: its files are opened without following links.
    auto status_file = TaskFile::Open(dir, "status.pb");
    if (status_file.ok() && ReadProtoFile(status_file->path(), &progress).ok())
      *u->mutable_progress() = std::move(progress);
  }
  ASSIGN_OR_RETURN(ExecutorHeartbeatResponse resp, client_->Heartbeat(req));
  if (resp.reregister()) {
    spdlog::info("executor {}: the job master asks for a new registration", executor_id_);
    registered_ = false;
    return Status::OK();
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& id : reported_final) attempts_.erase(id);
    for (const auto& id : resp.kill_attempts()) {
      auto it = attempts_.find(id);
      if (it == attempts_.end() || it->second->state != ATTEMPT_RUNNING) continue;
      if (it->second->kill_reason.empty()) it->second->kill_reason = "killed by the job master";
      it->second->process.Kill();
    }
    for (const auto& job : resp.finished_jobs()) {
      ml_workers_->StopJob(job);
      if (!jobs_with_data_.count(job)) continue;
      jobs_to_remove_.insert(job);
      for (auto& [id, a] : attempts_) {
        if (a->spec.job_id() == job && a->state == ATTEMPT_RUNNING) {
          if (a->kill_reason.empty()) a->kill_reason = "the job is over";
          a->process.Kill();
        }
      }
    }
  }
  for (const TaskSpec& spec : resp.launch()) Launch(spec);
  return Status::OK();
}

void Executor::Localize(TaskSpec* spec, std::vector<int>* handed_over) const {
  spec->set_namenode(identity_.namenode);
  auto localize = [this, handed_over](InputSplit* split) {
    if (split->block_id() == 0 || !lookup_) return;
    auto local = lookup_(split->block_id(), split->gen_stamp());
    if (!local.ok()) return;
    int data_fd = ::open(local->data_path.c_str(), O_RDONLY | O_CLOEXEC);
    int meta_fd = data_fd < 0 ? -1 : ::open(local->meta_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (meta_fd < 0) {
      spdlog::warn("executor: cannot open the local replica of block {} ({}); the task reads it through a datanode",
                   split->block_id(), std::strerror(errno));
      if (data_fd >= 0) ::close(data_fd);
      return;
    }
    // The child gets handed_over[i] as descriptor 3 + i (TaskProcessOptions::inherited_fds).
    split->set_local_block_fd(3 + static_cast<int>(handed_over->size()));
    handed_over->push_back(data_fd);
    split->set_local_meta_fd(3 + static_cast<int>(handed_over->size()));
    handed_over->push_back(meta_fd);
  };
  if (spec->type() == MAP && spec->has_split()) localize(spec->mutable_split());
  for (InputSplit& split : *spec->mutable_splits()) localize(&split);
  for (MapOutputLocation& loc : *spec->mutable_map_outputs()) {
    if (loc.executor_id() == executor_id_) loc.set_local_dir(MapOutputDir(settings_.work_dir, spec->job_id(), loc.attempt_id()));
  }
}

Status Executor::ProbeTaskAccount() const {
  TaskProcessOptions o;
  o.binary = task_binary_;
  o.args = {"--probe"};
  // A dir of its own: a task launcher hands its work dir to the task account.
  o.work_dir = settings_.work_dir + "/probe";
  RETURN_IF_ERROR(confinement_->RemoveTaskFiles(o.work_dir));
  RETURN_IF_ERROR(MakeDirectories(o.work_dir));
  o.stdout_path = o.stderr_path = "/dev/null";
  o.run_as = confinement_->user();
  if (o.run_as) o.launcher = settings_.task_launcher;
  const std::string who = o.run_as ? "the task account " + o.run_as->name : "this account";
  auto process = TaskProcess::Launch(o);
  if (!process.ok())
    return process.status().WithContext(
        who + " cannot start tasks (every directory above --executor_work_dir must be searchable by it, and the task "
              "binary readable and executable)");
  for (int waited_ms = 0; waited_ms < 10000; waited_ms += 5) {
    auto code = process->Poll();
    if (!code.ok()) return code.status();
    if (code->has_value()) {
      if (**code == 0) return Status::OK();
      return Internal("{} --probe exited with {} when started as {}", task_binary_, **code, who);
    }
    ::usleep(5000);
  }
  return Unavailable("{} --probe did not exit within 10 s", task_binary_);
}

void Executor::Launch(TaskSpec spec) {
  auto attempt = std::make_unique<Attempt>();
  const std::string id = spec.attempt_id();
  if (!IsSafeId(spec.job_id()) || !IsSafeId(id)) {
    spdlog::warn("executor: refusing a task with a malformed id ({}, {})", spec.job_id(), id);
    return;
  }
  attempt->dir = JobDir(spec.job_id()) + "/" + id;
  attempt->start_ms = WallMillis();
  if (spec.timeout_ms() > 0) attempt->deadline_ms = MonotonicMillis() + static_cast<int64_t>(spec.timeout_ms());
  std::vector<int> handed_over;
  Localize(&spec, &handed_over);
  Status st = confinement_->RemoveTaskFiles(attempt->dir);
  if (st.ok() && spec.job().kind() == JobSpec::ML) {
    auto dir = ml_workers_->Ensure(spec, JobDir(spec.job_id()));
    if (dir.ok()) spec.set_ml_worker_dir(*dir);
    else st = dir.status().WithContext("starting the job's ML worker");
  }
  if (st.ok()) st = MakeDirectories(attempt->dir);
  // Only the executor may enter the dir until the task's account gets it (Apply): the task
  // description in it holds the job's shuffle secret and delegation token.
  if (st.ok() && ::chmod(attempt->dir.c_str(), 0700) != 0) st = ErrnoError(errno, "chmod " + attempt->dir);
  if (st.ok() && settings_.security.tls()) {
    // The task trusts the cluster CA for the namenode's gRPC door and the shuffle service;
    // its account may not be able to reach the daemon's copy.
    spec.set_tls_ca_file(attempt->dir + "/ca.crt");
    auto pem = ReadWholeFile(settings_.security.tls_ca_file);
    st = pem.ok() ? WriteWholeFile(spec.tls_ca_file(), *pem, 0644, FileWrite::kCreateNew) : pem.status();
  }
  if (st.ok()) st = WriteProtoFile(attempt->dir + "/task.pb", spec, /*sync=*/false);
  if (st.ok()) {
    TaskProcessOptions options;
    options.binary = task_binary_;
    options.args = {"task.pb"};
    options.work_dir = attempt->dir;
    options.stdout_path = attempt->dir + "/stdout.log";
    options.stderr_path = attempt->dir + "/stderr.log";
    options.extra_env = TaskEnvironmentFor(spec);
    options.inherited_fds = handed_over;
    CgroupLimits limits{spec.resources().memory_bytes(), spec.resources().cpu_slots()};
    auto cgroup = confinement_->Apply(id, limits, spec.user(), &options);
    if (cgroup.ok()) {
      attempt->cgroup = std::move(*cgroup);
      auto process = TaskProcess::Launch(options);
      if (process.ok()) attempt->process = std::move(*process);
      else st = process.status();
    } else {
      st = cgroup.status();
    }
  }
  for (int fd : handed_over) ::close(fd);
  if (!st.ok()) {
    attempt->state = ATTEMPT_FAILED;
    attempt->diagnostics = "could not start the task on " + identity_.node + ": " + st.ToString();
    spdlog::warn("executor: {}: {}", id, attempt->diagnostics);
  } else {
    spdlog::debug("executor: started {} (pid {})", id, attempt->process.pid());
  }
  attempt->spec = std::move(spec);
  bool failed = !st.ok();
  {
    std::lock_guard lock(mu_);
    jobs_with_data_.insert(attempt->spec.job_id());
    shuffle_secrets_[attempt->spec.job_id()] = attempt->spec.shuffle_secret();
    attempts_[id] = std::move(attempt);
  }
  if (failed) Wake();
}

void Executor::Conclude(const std::string& dir, int exit_code, const std::string& kill_reason, uint64_t oom_kills,
                        uint64_t memory_limit, Attempt* out) const {
  out->exit_code = exit_code;
  // The attempt dir belongs to the task's account: its files are opened without following links.
  auto stderr_file = TaskFile::Open(dir, "stderr.log");
  out->stderr_tail = stderr_file.ok() ? FileTail(stderr_file->path(), kStderrTailBytes) : "";
  TaskProgress result;
  auto result_file = TaskFile::Open(dir, "result.pb");
  bool have_result = result_file.ok() && ReadProtoFile(result_file->path(), &result).ok() && result.done();
  if (have_result) out->final_progress = result;
  if (!kill_reason.empty()) {
    out->state = ATTEMPT_KILLED;
    out->diagnostics = kill_reason;
  } else if (exit_code == 0 && have_result && result.succeeded()) {
    out->state = ATTEMPT_SUCCEEDED;
  } else {
    out->state = ATTEMPT_FAILED;
    if (oom_kills > 0) {
      // The kernel's word beats whatever the task managed to write before it died.
      out->diagnostics = fmt::format(
          "killed by its cgroup for using more than its memory limit of {} bytes ({} process{} killed for memory)",
          memory_limit, oom_kills, oom_kills == 1 ? "" : "es");
    } else if (have_result && !result.error().empty()) {
      out->diagnostics = result.error();
    } else if (exit_code > 128) {
      out->diagnostics = fmt::format("task process killed by signal {}{}", exit_code - 128,
                                     exit_code - 128 == 9 ? " (out of memory, or killed from outside)" : "");
    } else {
      out->diagnostics = fmt::format("task process exited with code {}", exit_code);
    }
  }
}

void Executor::MonitorLoop() {
  while (!stop_.load()) {
    struct Exited {
      std::string id, dir, kill_reason;
      int exit_code;
      TaskCgroup cgroup;
    };
    std::vector<Exited> exited;
    std::vector<std::string> remove;
    ml_workers_->Reap();
    {
      std::lock_guard lock(mu_);
      const int64_t now = MonotonicMillis();
      for (auto& [id, a] : attempts_) {
        if (a->state != ATTEMPT_RUNNING || !a->process.running()) continue;
        if (a->deadline_ms > 0 && now > a->deadline_ms && !a->timed_out && a->kill_reason.empty()) {
          a->timed_out = true;
          a->process.Kill();
        }
        auto r = a->process.Poll();
        if (!r.ok() || r->has_value())
          exited.push_back({id, a->dir, a->kill_reason, r.ok() ? **r : -1, std::move(a->cgroup)});
      }
      for (auto it = jobs_to_remove_.begin(); it != jobs_to_remove_.end();) {
        bool busy = false;
        for (const auto& [id, a] : attempts_) busy |= a->spec.job_id() == *it;
        if (busy) {
          ++it;
          continue;
        }
        remove.push_back(*it);
        jobs_with_data_.erase(*it);
        shuffle_secrets_.erase(*it);
        it = jobs_to_remove_.erase(it);
      }
    }
    for (auto& e : exited) {
      Attempt concluded;
      const uint64_t oom_kills = e.cgroup.OomKills();
      if (Status removed = e.cgroup.Remove(); !removed.ok())
        spdlog::warn("executor: {}: cannot remove its cgroup: {}", e.id, removed.ToString());
      Conclude(e.dir, e.exit_code, e.kill_reason, oom_kills, e.cgroup.limits().memory_bytes, &concluded);
      std::lock_guard lock(mu_);
      auto it = attempts_.find(e.id);
      if (it == attempts_.end()) continue;
      Attempt& a = *it->second;
      a.exit_code = concluded.exit_code;
      a.stderr_tail = std::move(concluded.stderr_tail);
      a.final_progress = std::move(concluded.final_progress);
      if (a.timed_out && e.kill_reason.empty()) {
        // A timeout counts against the task's attempts.
        a.state = ATTEMPT_FAILED;
        a.diagnostics = fmt::format("killed after running longer than the task timeout of {} ms", a.spec.timeout_ms());
      } else {
        a.state = concluded.state;
        a.diagnostics = std::move(concluded.diagnostics);
      }
      spdlog::info("executor: {} {}{}{}", e.id, AttemptStateName(a.state), a.diagnostics.empty() ? "" : ": ",
                   a.diagnostics);
    }
    for (const auto& job : remove) {
      Status st = confinement_->RemoveTaskFiles(JobDir(job));
      if (!st.ok()) spdlog::warn("executor: cannot remove the files of {}: {}", job, st.ToString());
    }
    if (!exited.empty()) Wake();
    std::unique_lock lock(mu_);
    wake_cv_.wait_for(lock, std::chrono::milliseconds(settings_.monitor_interval_ms), [this] { return stop_.load(); });
  }
}

}  // namespace cairn::compute
