// JobMaster: lifecycle, submission and the client-facing queries. Executor traffic is in
// job_master_executors.cc, attempt outcomes in job_master_attempts.cc, output commits and
// job completion in job_master_commit.cc.
#include "compute/jobmaster/job_master.h"

#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "client/namenode_client.h"
#include "common/process_user.h"
#include "common/clock.h"
#include "common/delegation_token.h"
#include "common/gssapi.h"
#include "common/hmac.h"
#include "common/path.h"
#include "common/socket.h"
#include "common/tls_credentials.h"
#include "compute/ids.h"
#include "compute/jobmaster/gang_placement.h"
#include "compute/jobmaster/input_planner.h"
#include "compute/jobmaster/resource_fit.h"
#include "compute/jobmaster/services.h"
#include "compute/local_files.h"
#include "compute/runtime/job_program.h"
#include "compute/runtime/partitioner.h"
#include "compute/shuffle_proof.h"

namespace cairn::compute {

JobMaster::JobMaster(JobMasterSettings settings)
    : settings_(std::move(settings)),
      scheduler_{settings_.locality_wait_node_ms, settings_.locality_wait_rack_ms, settings_.speculative,
                 settings_.speculative_slowness, settings_.speculative_min_ms} {}

JobMaster::~JobMaster() { Stop(); }

Result<std::unique_ptr<JobMaster>> JobMaster::Create(const JobMasterSettings& settings) {
  RETURN_IF_ERROR(settings.Validate());
  JobMasterSettings resolved = settings;
  if (settings.security.kerberos()) {
    ASSIGN_OR_RETURN(resolved.kerberos_principal, ResolveServicePrincipal(settings.kerberos_principal));
  }
  std::unique_ptr<JobMaster> jm(new JobMaster(std::move(resolved)));
  jm->start_ms_ = WallMillis();
  jm->admin_user_ = ProcessUserName();
  if (settings.security.kerberos()) {
    const std::string& principal = jm->settings_.kerberos_principal;
    ASSIGN_OR_RETURN(PrincipalParts parts, SplitPrincipal(principal));
    ASSIGN_OR_RETURN(AuthToLocal rules, AuthToLocal::Parse(settings.auth_to_local, parts.realm));
    jm->auth_to_local_ = std::make_unique<AuthToLocal>(std::move(rules));
    ASSIGN_OR_RETURN(jm->admin_user_, jm->auth_to_local_->Map(principal));
    GrpcLoginSettings login;
    login.principal = principal;
    login.keytab = settings.keytab;
    login.auth_to_local = jm->auth_to_local_.get();
    login.token_lifetime_ms = settings.authn_token_lifetime_ms;
    login.door = "the job master";
    login.no_credentials_message =
        "the job master runs with --security=kerberos: it needs a Kerberos login (cairn logs in when "
        "CAIRN_JOBMASTER_PRINCIPAL names the job master's principal and you hold a ticket)";
    jm->login_ = std::make_unique<GrpcLogin>(std::move(login));
    // The job master's own ticket (it renews jobs' tokens as their renewer), got before any
    // thread runs: this sets KRB5CCNAME for the process.
    ASSIGN_OR_RETURN(jm->own_ticket_lifetime_ms_, KinitFromKeytab(principal, settings.keytab, kOwnCredentialCache));
    jm->own_login_mono_ms_ = MonotonicMillis();
  }
  ASSIGN_OR_RETURN(jm->history_store_, HistoryStore::Open(settings.data_dir));
  int cut_short = 0;
  for (JobReport& r : jm->history_store_->LoadAll()) {
    if (r.state() == JOB_RUNNING) {
      r.set_state(JOB_FAILED);
      r.set_diagnostics("the job master restarted while the job ran");
      r.set_finish_ms(jm->start_ms_);
      Status st = jm->history_store_->Save(r);
      if (!st.ok()) spdlog::warn("job history: cannot update {}: {}", r.job_id(), st.ToString());
      ++cut_short;
    }
    jm->history_order_.push_back(r.job_id());
    jm->history_[r.job_id()] = std::move(r);
  }
  spdlog::info("job history: {} jobs ({} cut short by a restart)", jm->history_.size(), cut_short);
  return jm;
}

Status JobMaster::Start() {
  services_ = std::make_unique<JobMasterServices>(this);
  // Steps reach ML workers through their executors, which accept only the job master's certificate.
  ASSIGN_OR_RETURN(auto executor_credentials, MakeDaemonChannelCredentials(settings_.security));
  ml_fanout_.SetCredentials(std::move(executor_credentials));
  grpc::ServerBuilder builder;
  const std::string& host = settings_.bind_host;
  std::string address = HostPort{host, settings_.port}.ToString();
  // TLS with the cluster's certificates; a client certificate is optional (users have
  // none), executors must show a datanode's.
  ASSIGN_OR_RETURN(auto credentials, MakeServerCredentials(settings_.security, ClientCertificates::kOptional));
  builder.AddListeningPort(address, credentials, &port_);
  services_->RegisterWith(builder);
  grpc::ResourceQuota quota("jobmaster");
  quota.SetMaxThreads(settings_.handler_threads);
  builder.SetResourceQuota(quota);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) return Unavailable("cannot listen on {}", address);
  committer_ = std::thread([this] { CommitLoop(); });
  monitor_ = std::thread([this] { MonitorLoop(); });
  if (!settings_.port_file.empty())
    RETURN_IF_ERROR(WriteFileAtomically(settings_.port_file, fmt::format("port={}\n", port_), /*sync=*/false));
  spdlog::info("job master listening on {}:{} (namenode {})", host, port_, settings_.namenode);
  return Status::OK();
}

void JobMaster::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
  }
  commits_.Close();
  if (committer_.joinable()) committer_.join();
  if (monitor_.joinable()) monitor_.join();
  server_.reset();
}

int JobMaster::TotalSlots() const {
  int slots = 0;
  for (const auto& [id, e] : executors_) slots += static_cast<int>(e.total.cpu_slots());
  return slots;
}

void JobMaster::ApplyDefaults(JobSpec* spec) const {
  if (spec->kind() == JobSpec::BUILTIN && spec->builtin() == "sort") {
    spec->set_input_format(JobSpec::FIXED);
    if (spec->record_bytes() == 0) spec->set_record_bytes(100);
    if (spec->key_bytes() == 0) spec->set_key_bytes(10);
    // TeraSort writes its output once: replication 1 unless asked otherwise.
    if (spec->output_replication() == 0) spec->set_output_replication(1);
  }
  if (spec->kind() == JobSpec::ML) {
    spec->set_reducers(0);
    spec->set_speculative(false);  // a second copy of a partition would only take memory
  }
  if (spec->kind() == JobSpec::GANG) {
    spec->set_reducers(0);
    spec->set_speculative(false);
    if (spec->gang_max_restarts() < 0) spec->set_gang_max_restarts(settings_.gang_max_restarts);
  }
  if (spec->reducers() < 0) {
    int reducers = 1;
    if (spec->kind() == JobSpec::BUILTIN && spec->builtin() == "sort") {
      std::lock_guard lock(mu_);
      reducers = std::max<int>(1, static_cast<int>(executors_.size()));
    }
    spec->set_reducers(reducers);
  }
  ComputeResources* r = spec->mutable_task_resources();
  if (r->cpu_slots() == 0) r->set_cpu_slots(1);
  if (r->memory_bytes() == 0) r->set_memory_bytes(settings_.task_memory.bytes);
  if (spec->max_attempts() == 0) spec->set_max_attempts(static_cast<uint32_t>(settings_.max_task_attempts));
  if (spec->task_timeout_ms() == 0) spec->set_task_timeout_ms(static_cast<uint64_t>(settings_.task_timeout_ms));
  if (spec->name().empty()) {
    spec->set_name(spec->kind() == JobSpec::BUILTIN     ? spec->builtin()
                   : spec->kind() == JobSpec::STREAMING ? "streaming"
                   : spec->kind() == JobSpec::ML        ? "ml " + spec->ml().algorithm()
                   : spec->kind() == JobSpec::GANG      ? "gang"
                                                        : "plugin");
  }
}

Status JobMaster::CheckJobPaths(const JobSpec& spec, client::FileSystem& fs, bool output_required) {
  const std::string& out = spec.output_path();
  if (out.empty()) {
    if (output_required) return InvalidArgument("the job needs an output path");
  } else {
    RETURN_IF_ERROR(SplitPath(out).status().WithContext("output path"));
    if (out == "/") return InvalidArgument("the output path cannot be /");
    auto existing = fs.Stat(out);
    if (existing.ok()) return AlreadyExists("output path {} already exists", out);
    if (existing.status().code() != ErrorCode::kNotFound) return existing.status().WithContext("output path " + out);
  }
  for (const std::string& f : spec.files()) {
    ASSIGN_OR_RETURN(client::FileStatus st, fs.Stat(f));
    if (st.is_dir) return InvalidArgument("job file {} is a directory", f);
  }
  if (!spec.plugin_path().empty()) {
    auto st = fs.Stat(spec.plugin_path());
    if (!st.ok()) return st.status().WithContext("plugin");
  }
  return Status::OK();
}

Status JobMaster::Plan(Job* job, client::FileSystem& fs) {
  if (job->spec.kind() == JobSpec::ML) return PlanMl(job, fs);
  if (job->spec.kind() == JobSpec::GANG) return PlanGang(job, fs);
  JobSpec& spec = job->spec;
  const std::string& out = spec.output_path();
  RETURN_IF_ERROR(CheckJobPaths(spec, fs, /*output_required=*/true));
  ASSIGN_OR_RETURN(PlannedInput input, PlanInput(fs, spec));
  job->num_reducers = spec.reducers();
  if (spec.kind() == JobSpec::BUILTIN && spec.builtin() == "sort" && job->num_reducers > 1) {
    ASSIGN_OR_RETURN(std::vector<std::string> samples,
                     SampleKeys(fs, input.splits, spec.record_bytes(), spec.key_bytes(), settings_.sort_samples));
    job->partition_bounds = ChooseRangeBounds(std::move(samples), job->num_reducers);
  }
  job->temp_dir = JoinPath(out, "_temporary");
  RETURN_IF_ERROR(fs.Mkdirs(job->temp_dir).WithContext("creating the output directory"));
  for (size_t i = 0; i < input.splits.size(); ++i) {
    TaskInfo t;
    t.type = MAP;
    t.index = static_cast<int>(i);
    t.split = std::move(input.splits[i]);
    job->maps.push_back(std::move(t));
  }
  for (int i = 0; i < job->num_reducers; ++i) {
    TaskInfo t;
    t.type = REDUCE;
    t.index = i;
    job->reduces.push_back(std::move(t));
  }
  return Status::OK();
}

Status JobMaster::CheckPlaceable(const JobSpec& spec) const {
  if (executors_.empty()) return Status::OK();  // executors are still registering: the job waits
  const ComputeResources& r = spec.task_resources();
  uint32_t most_gpus = 0;
  bool fits = false;
  for (const auto& [id, e] : executors_) {
    fits |= CanEverFit(e.total, r);
    most_gpus = std::max<uint32_t>(most_gpus, static_cast<uint32_t>(e.total.gpu_ids_size()));
  }
  const bool wants_gpus = r.gpus() > 0 || r.gpu_fraction() > 0;
  const std::string gpu_note = wants_gpus ? fmt::format(" (the most GPUs on one executor: {})", most_gpus) : "";
  if (!fits) {
    return InvalidArgument("a {} asks for {}, more than any executor offers{}",
                           spec.kind() == JobSpec::GANG ? "gang worker" : "task", DescribeResources(r), gpu_note);
  }
  if (spec.kind() == JobSpec::GANG) {
    const int n = static_cast<int>(spec.gang_workers());
    const int room = GangCapacityWhenIdle(n, r, executors_);
    if (room < n) {
      return InvalidArgument(
          "a gang of {} workers ({} each) can never be placed: the {} executors have room for at most {}{}", n,
          DescribeResources(r), executors_.size(), room, gpu_note);
    }
  }
  return Status::OK();
}

Result<std::string> JobMaster::Submit(JobSpec spec, const std::string& user, const std::string& delegation_token) {
  if (user.empty()) return InvalidArgument("the caller's user name is missing");
  if (settings_.security.kerberos()) {
    // The job's token must be the submitter's own: its identifier names its owner, and the
    // namenode checks its password on the first call below.
    if (delegation_token.empty())
      return PermissionDenied(
          "the job master runs with --security=kerberos: a job needs a delegation token for its user (cairn job "
          "fetches one with the job master as renewer)");
    ASSIGN_OR_RETURN(hadoop::common::TokenProto token, ParseSerializedToken(delegation_token));
    ASSIGN_OR_RETURN(DelegationTokenIdentifier id, DecodeDelegationTokenIdentifier(token.identifier()));
    if (id.owner != user)
      return PermissionDenied("the job's delegation token belongs to {}, not to {} who submits it", id.owner, user);
  }
  spec.set_user(user);
  ApplyDefaults(&spec);
  RETURN_IF_ERROR(ValidateProgram(spec));
  if (spec.reducers() > 100000) return InvalidArgument("{} reducers is too many", spec.reducers());
  RETURN_IF_ERROR(ValidateTaskResources(spec.task_resources()));
  {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckPlaceable(spec));
  }
  if (settings_.security.kerberos()) {
    // One job per token: the token's FileSystem and its cancellation belong to that job.
    RETURN_IF_ERROR(ClaimJobToken(user, delegation_token));
    // Renewing it proves the token genuine and renewable by this job master (as YARN's
    // resource manager checks at submission); the monitor renews it while the job runs.
    auto renewed = RenewJobToken(delegation_token);
    if (!renewed.ok()) {
      ReleaseJobToken(delegation_token);
      return renewed.status().WithContext("the job master cannot renew the job's delegation token (its renewer must be "
                                          "the job master's user)");
    }
  }
  auto fs_or = FsFor(user, delegation_token);
  if (!fs_or.ok()) {
    ForgetJobToken(delegation_token);
    return fs_or.status();
  }
  client::FileSystem* fs = *fs_or;
  auto job = std::make_unique<Job>();
  job->spec = std::move(spec);
  job->shuffle_secret = RandomSecret(kShuffleSecretBytes);
  job->delegation_token = delegation_token;
  job->token_renew_mono_ms = MonotonicMillis() + settings_.token_renew_interval_ms;
  if (Status planned = Plan(job.get(), *fs); !planned.ok()) {
    ForgetJobToken(delegation_token);
    return planned;
  }
  JobReport report;
  std::string id;
  {
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      ForgetJobToken(delegation_token);
      return Unavailable("the job master is shutting down");
    }
    id = MakeJobId(start_ms_, next_job_seq_++);
    job->id = id;
    job->submit_ms = WallMillis();
    for (auto* tasks : {&job->maps, &job->reduces}) {
      for (TaskInfo& t : *tasks) t.id = MakeTaskId(id, t.type, t.index);
    }
    job->ml_active_mono_ms = MonotonicMillis();
    report = BuildReport(*job, true);
    if (job->gang) {
      spdlog::info("job {} ({}) submitted by {}: a gang of {} workers ({} each) over {} input splits", id,
                   job->spec.name(), user, job->maps.size(), DescribeResources(job->spec.task_resources()),
                   job->gang->splits.size());
    } else {
      spdlog::info("job {} ({}) submitted by {}: {} maps, {} reduces, output {}", id, job->spec.name(), user,
                   job->maps.size(), job->reduces.size(), job->spec.output_path());
    }
    Job& ref = *job;
    jobs_[id] = std::move(job);
    job_order_.push_back(id);
    MaybeFinishJob(ref);  // a job without input and reducers is done at once
  }
  Status st = history_store_->Save(report);
  if (!st.ok()) spdlog::warn("job history: cannot save {}: {}", id, st.ToString());
  return id;
}

Job* JobMaster::FindJob(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : it->second.get();
}

bool JobMaster::MaySee(const std::string& user, const std::string& owner) const {
  return !settings_.security.kerberos() || user == owner || user == admin_user_;
}

Result<JobReport> JobMaster::GetJob(const std::string& job_id, bool include_tasks, const std::string& user) {
  std::lock_guard lock(mu_);
  JobReport r;
  if (Job* job = FindJob(job_id)) {
    r = BuildReport(*job, include_tasks);
  } else {
    auto it = history_.find(job_id);
    if (it == history_.end()) return NotFound("no job {}", job_id);
    r = it->second;
    if (!include_tasks) r.clear_tasks();
  }
  if (!MaySee(user, r.spec().user())) return PermissionDenied("{} may not see {}'s job {}", user, r.spec().user(), job_id);
  return r;
}

std::vector<JobReport> JobMaster::ListJobs(bool include_finished, const std::string& user) {
  std::vector<JobReport> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, job] : jobs_) {
    if (MaySee(user, job->spec.user())) out.push_back(BuildReport(*job, false));
  }
  if (include_finished) {
    for (const auto& [id, r] : history_) {
      if (jobs_.count(id) || !MaySee(user, r.spec().user())) continue;
      JobReport copy = r;
      copy.clear_tasks();
      out.push_back(std::move(copy));
    }
  }
  std::sort(out.begin(), out.end(), [](const JobReport& a, const JobReport& b) {
    return a.submit_ms() != b.submit_ms() ? a.submit_ms() > b.submit_ms() : a.job_id() > b.job_id();
  });
  return out;
}

Result<JobState> JobMaster::Kill(const std::string& job_id, const std::string& user) {
  std::lock_guard lock(mu_);
  Job* job = FindJob(job_id);
  if (job == nullptr) {
    auto it = history_.find(job_id);
    if (it == history_.end()) return NotFound("no job {}", job_id);
    return it->second.state();
  }
  if (job->state != JOB_RUNNING || job->finalizing) return job->state;
  // A job's owner may kill it, and so may the user the job master runs as (its admin).
  if (user != job->spec.user() && user != admin_user_)
    return PermissionDenied("{} may not kill {}'s job {}", user, job->spec.user(), job_id);
  EndJob(*job, JOB_KILLED, "killed by " + (user.empty() ? std::string("a client") : user));
  return JOB_KILLED;
}

void JobMaster::MonitorLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(settings_.monitor_interval_ms), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    CheckExecutors();
    ExpireIdleMlJobs();
    RenewDueTokens();
    lock.lock();
  }
}

}  // namespace cairn::compute
