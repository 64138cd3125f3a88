#include "client/job_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "cairn/compute.grpc.pb.h"
#include "client/grpc_login_client.h"
#include "client/namenode_client.h"
#include "common/grpc_status.h"
#include "common/gssapi.h"
#include "common/path.h"
#include "common/socket.h"
#include "common/tls_credentials.h"

namespace cairn::client {

struct JobClient::Impl {
  std::unique_ptr<cairn::JobMaster::Stub> stub;
  int timeout_ms = 0;
  std::unique_ptr<GrpcLoginClient> login;  // kerberos mode
  std::function<Result<FileSystem*>()> namenode;  // kerberos mode: job tokens
  std::string principal;                   // kerberos mode: the job master's

  template <typename Resp, typename Req, typename Method>
  Result<Resp> Call(Method method, const Req& req, const std::string& user, int call_timeout_ms = 0) {
    Resp resp;
    auto once = [&](grpc::ClientContext* ctx) -> cairn::Status {
      ctx->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(call_timeout_ms > 0 ? call_timeout_ms : timeout_ms));
      ctx->AddMetadata(kUserMetadataKey, user);
      resp.Clear();
      return FromGrpcStatus((stub.get()->*method)(ctx, req, &resp));
    };
    cairn::Status s;
    if (login) {
      s = login->Call(once);
    } else {
      grpc::ClientContext ctx;
      s = once(&ctx);
    }
    if (!s.ok()) {
      // ML steps report their own Unavailable (partitions loading); keep those as they are.
      if (s.code() == ErrorCode::kUnavailable && call_timeout_ms == 0)
        return Unavailable("job master unreachable: {}", s.message());
      return s;
    }
    return resp;
  }
};

JobClient::JobClient(std::unique_ptr<Impl> impl, std::string user, std::string address)
    : impl_(std::move(impl)), user_(std::move(user)), address_(std::move(address)) {}

JobClient::~JobClient() = default;

Result<std::unique_ptr<JobClient>> JobClient::Connect(const JobClientOptions& options) {
  std::string address = options.jobmaster;
  if (address.empty()) {
    const char* env = std::getenv("CAIRN_JOBMASTER");
    if (env != nullptr) address = env;
  }
  if (address.empty()) return InvalidArgument("no job master address: pass --jobmaster HOST:PORT or set CAIRN_JOBMASTER");
  auto impl = std::make_unique<Impl>();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  std::string ca_file = options.tls_ca_file;
  if (const char* env = std::getenv("CAIRN_TLS_CA_FILE"); ca_file.empty() && env) ca_file = env;
  ASSIGN_OR_RETURN(auto credentials, MakeClientChannelCredentials(ca_file));
  impl->stub = cairn::JobMaster::NewStub(grpc::CreateCustomChannel(address, credentials, args));
  impl->timeout_ms = options.rpc_timeout_ms;
  impl->principal = options.principal;
  if (const char* env = std::getenv("CAIRN_JOBMASTER_PRINCIPAL"); impl->principal.empty() && env)
    impl->principal = env;
  std::string user = ResolveClientUser(options.user);
  if (!impl->principal.empty()) {
    // Who we are is what the ticket says.
    ASSIGN_OR_RETURN(std::string principal, TicketCachePrincipal());
    user = principal.substr(0, principal.find_first_of("/@"));
    auto hp = HostPort::Parse(address);
    impl->login = std::make_unique<GrpcLoginClient>(
        impl->principal, hp.ok() ? hp->host : "", "the job master", options.rpc_timeout_ms,
        [stub = impl->stub.get()](grpc::ClientContext* ctx, const AuthenticateRequest& req, AuthenticateResponse* resp) {
          return stub->Authenticate(ctx, req, resp);
        });
    impl->namenode = options.namenode;
  }
  return std::unique_ptr<JobClient>(new JobClient(std::move(impl), std::move(user), address));
}

Result<hadoop::common::TokenProto> JobClient::FetchJobToken() {
  if (!impl_->namenode)
    return InvalidArgument("a kerberos job master needs a delegation token for each job: no namenode to fetch it from");
  ASSIGN_OR_RETURN(FileSystem * fs, impl_->namenode());
  // The renewer is the job master, by its principal's first component (as YARN names the
  // resource manager's).
  hadoop::common::GetDelegationTokenRequestProto req;
  req.set_renewer(impl_->principal.substr(0, impl_->principal.find_first_of("/@")));
  ASSIGN_OR_RETURN(auto resp, fs->namenode().GetDelegationToken(req));
  if (!resp.has_token())
    return PermissionDenied("the namenode gave no delegation token (does it run with --security=kerberos?)");
  return std::move(*resp.mutable_token());
}

Result<std::string> JobClient::Submit(const JobSpec& spec) {
  SubmitJobRequest req;
  *req.mutable_spec() = spec;
  hadoop::common::CancelDelegationTokenRequestProto cancel;  // of the job's token, should it be refused
  if (impl_->login) {
    ASSIGN_OR_RETURN(*cancel.mutable_token(), FetchJobToken());
    req.set_delegation_token(cancel.token().SerializeAsString());
  }
  auto resp = impl_->Call<SubmitJobResponse>(&cairn::JobMaster::Stub::SubmitJob, req, user_);
  if (!resp.ok() && cancel.has_token()) {
    // A refused job's token serves nothing: cancel it (the owner may).
    if (auto fs = impl_->namenode(); fs.ok()) (void)(*fs)->namenode().CancelDelegationToken(cancel);
  }
  if (!resp.ok()) return resp.status();
  return resp->job_id();
}

Result<JobReport> JobClient::Status(const std::string& job_id, bool include_tasks) {
  GetJobRequest req;
  req.set_job_id(job_id);
  req.set_include_tasks(include_tasks);
  ASSIGN_OR_RETURN(GetJobResponse resp, impl_->Call<GetJobResponse>(&cairn::JobMaster::Stub::GetJob, req, user_));
  return resp.job();
}

Result<std::vector<JobReport>> JobClient::List(bool include_finished) {
  ListJobsRequest req;
  req.set_include_finished(include_finished);
  ASSIGN_OR_RETURN(ListJobsResponse resp, impl_->Call<ListJobsResponse>(&cairn::JobMaster::Stub::ListJobs, req, user_));
  return std::vector<JobReport>(resp.jobs().begin(), resp.jobs().end());
}

Result<std::vector<ExecutorReport>> JobClient::Executors() {
  ListExecutorsRequest req;
  ASSIGN_OR_RETURN(ListExecutorsResponse resp,
                   impl_->Call<ListExecutorsResponse>(&cairn::JobMaster::Stub::ListExecutors, req, user_));
  return std::vector<ExecutorReport>(resp.executors().begin(), resp.executors().end());
}

Result<MlPartial> JobClient::MlStep(const std::string& job_id, const MlCommand& command, int timeout_ms) {
  MlStepRequest req;
  req.set_job_id(job_id);
  *req.mutable_command() = command;
  ASSIGN_OR_RETURN(MlStepResponse resp,
                   impl_->Call<MlStepResponse>(&cairn::JobMaster::Stub::MlStep, req, user_, timeout_ms));
  return std::move(*resp.mutable_partial());
}

cairn::Status JobClient::MlFinish(const std::string& job_id, bool succeeded, const std::string& diagnostics) {
  MlFinishRequest req;
  req.set_job_id(job_id);
  req.set_succeeded(succeeded);
  req.set_diagnostics(diagnostics);
  return impl_->Call<MlFinishResponse>(&cairn::JobMaster::Stub::MlFinish, req, user_).status();
}

Result<JobState> JobClient::Kill(const std::string& job_id) {
  KillJobRequest req;
  req.set_job_id(job_id);
  ASSIGN_OR_RETURN(KillJobResponse resp, impl_->Call<KillJobResponse>(&cairn::JobMaster::Stub::KillJob, req, user_));
  return resp.state();
}

Result<JobReport> JobClient::Wait(const std::string& job_id, const std::function<void(const JobReport&)>& on_poll,
                                  int poll_ms) {
  int unreachable_polls = 0;
  for (;;) {
    auto report = Status(job_id, /*include_tasks=*/false);
    if (!report.ok()) {
      // Ride out a job master restart for a while; a finished job is in its history.
      if (report.status().IsRetryable() && ++unreachable_polls < 120) {
        std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
        continue;
      }
      return report.status();
    }
    unreachable_polls = 0;
    if (on_poll) on_poll(*report);
    if (report->state() != JOB_RUNNING) return Status(job_id, /*include_tasks=*/true);
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

Result<std::vector<std::string>> JobClient::StageFiles(FileSystem& fs, const std::vector<std::string>& local_paths,
                                                       const std::string& staging_dir) {
  std::vector<std::string> out;
  if (local_paths.empty()) return out;
  RETURN_IF_ERROR(fs.Mkdirs(staging_dir));
  std::vector<char> buf(4 << 20);
  for (const std::string& local : local_paths) {
    size_t slash = local.rfind('/');
    std::string name = slash == std::string::npos ? local : local.substr(slash + 1);
    if (name.empty()) return InvalidArgument("'{}' names no file", local);
    int fd = ::open(local.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError(errno, local);
    std::string remote = JoinPath(staging_dir, name);
    CreateOptions options;
    options.overwrite = true;
    auto stream = fs.Create(remote, options);
    if (!stream.ok()) {
      ::close(fd);
      return stream.status();
    }
    cairn::Status st;
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = ErrnoError(errno, "read " + local);
        break;
      }
      if (n == 0) break;
      st = (*stream)->Write(buf.data(), static_cast<size_t>(n));
      if (!st.ok()) break;
    }
    ::close(fd);
    cairn::Status closed = (*stream)->Close();
    RETURN_IF_ERROR(st);
    RETURN_IF_ERROR(closed);
    out.push_back(remote);
  }
  return out;
}

}  // namespace cairn::client
