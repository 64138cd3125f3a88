#include "compute/jobmaster/services.h"

#include "common/clock.h"
#include "common/cluster_ca.h"
#include "common/grpc_status.h"
#include "common/tls_credentials.h"
#include "compute/jobmaster/job_master.h"

namespace cairn::compute {

namespace {
std::string_view Header(const grpc::ServerContext* ctx, const char* key) {
  auto it = ctx->client_metadata().find(key);
  if (it == ctx->client_metadata().end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

// Who calls: in simple mode what x-cairn-user claims; in kerberos mode who the call's
// authentication token proves (x-cairn-user counts for nothing there).
Result<std::string> CallerUser(const compute::JobMaster& master, const grpc::ServerContext* ctx) {
  if (master.login() == nullptr) return std::string(Header(ctx, kUserMetadataKey));
  ASSIGN_OR_RETURN(GrpcCaller caller, master.login()->Check(Header(ctx, kAuthnTokenMetadataKey), {}, WallMillis()));
  return caller.user;
}

grpc::Status Unauthenticated(const cairn::Status& st) {
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, st.message(), ToGrpcStatus(st).error_details());
}
}  // namespace

class JobMasterServices::ClientService final : public cairn::JobMaster::Service {
 public:
  explicit ClientService(compute::JobMaster* master) : master_(master) {}

  grpc::Status Authenticate(grpc::ServerContext*, const AuthenticateRequest* req, AuthenticateResponse* resp) override {
    if (master_->login() == nullptr)
      return ToGrpcStatus(InvalidArgument("the job master runs with --security=simple: there is no login"));
    auto r = master_->login()->Authenticate(*req, WallMillis());
    if (!r.ok()) return Unauthenticated(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }
  grpc::Status SubmitJob(grpc::ServerContext* ctx, const SubmitJobRequest* req, SubmitJobResponse* resp) override {
    auto user = CallerUser(*master_, ctx);
    if (!user.ok()) return Unauthenticated(user.status());
    auto id = master_->Submit(req->spec(), *user, req->delegation_token());
    if (!id.ok()) return ToGrpcStatus(id.status());
    resp->set_job_id(*id);
    return grpc::Status::OK;
  }
  grpc::Status ListExecutors(grpc::ServerContext* ctx, const ListExecutorsRequest*, ListExecutorsResponse* resp) override {
    if (auto user = CallerUser(*master_, ctx); !user.ok()) return Unauthenticated(user.status());
    for (auto& e : master_->ListExecutors()) *resp->add_executors() = std::move(e);
    return grpc::Status::OK;
  }
  grpc::Status GetJob(grpc::ServerContext* ctx, const GetJobRequest* req, GetJobResponse* resp) override {
    auto user = CallerUser(*master_, ctx);
    if (!user.ok()) return Unauthenticated(user.status());
    auto job = master_->GetJob(req->job_id(), req->include_tasks(), *user);
    if (!job.ok()) return ToGrpcStatus(job.status());
    *resp->mutable_job() = std::move(*job);
    return grpc::Status::OK;
  }
  grpc::Status ListJobs(grpc::ServerContext* ctx, const ListJobsRequest* req, ListJobsResponse* resp) override {
    auto user = CallerUser(*master_, ctx);
    if (!user.ok()) return Unauthenticated(user.status());
    for (auto& j : master_->ListJobs(req->include_finished(), *user)) *resp->add_jobs() = std::move(j);
    return grpc::Status::OK;
  }
  grpc::Status KillJob(grpc::ServerContext* ctx, const KillJobRequest* req, KillJobResponse* resp) override {
    auto user = CallerUser(*master_, ctx);
    if (!user.ok()) return Unauthenticated(user.status());
    auto state = master_->Kill(req->job_id(), *user);
    if (!state.ok()) return ToGrpcStatus(state.status());
    resp->set_state(*state);
    return grpc::Status::OK;
  }
  grpc::Status MlStep(grpc::ServerContext* ctx, const MlStepRequest* req, MlStepResponse* resp) override {
    auto user = CallerUser(*master_, ctx);
    if (!user.ok()) return Unauthenticated(user.status());
    auto r = master_->MlStep(*req, *user);
    if (!r.ok()) return ToGrpcStatus(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }
  grpc::Status MlFinish(grpc::ServerContext* ctx, const MlFinishRequest* req, MlFinishResponse*) override {
    auto user = CallerUser(*master_, ctx);
    if (!user.ok()) return Unauthenticated(user.status());
    return ToGrpcStatus(master_->MlFinish(*req, *user));
  }

 private:
  compute::JobMaster* const master_;
};

class JobMasterServices::ExecutorService final : public ExecutorProtocol::Service {
 public:
  explicit ExecutorService(compute::JobMaster* master) : master_(master) {}

  grpc::Status RegisterExecutor(grpc::ServerContext* ctx, const RegisterExecutorRequest* req,
                                RegisterExecutorResponse* resp) override {
    if (Status who = RequirePeerRole(master_->security(), *ctx, kDatanodeRole); !who.ok()) return ToGrpcStatus(who);
    auto r = master_->RegisterExecutor(*req, PeerHost(ctx->peer()));
    if (!r.ok()) return ToGrpcStatus(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }
  grpc::Status Heartbeat(grpc::ServerContext* ctx, const ExecutorHeartbeatRequest* req,
                         ExecutorHeartbeatResponse* resp) override {
    if (Status who = RequirePeerRole(master_->security(), *ctx, kDatanodeRole); !who.ok()) return ToGrpcStatus(who);
    auto r = master_->Heartbeat(*req, PeerHost(ctx->peer()));
    if (!r.ok()) return ToGrpcStatus(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }

 private:
  compute::JobMaster* const master_;
};

JobMasterServices::JobMasterServices(JobMaster* master)
    : client_(std::make_unique<ClientService>(master)), executor_(std::make_unique<ExecutorService>(master)) {}

JobMasterServices::~JobMasterServices() = default;

void JobMasterServices::RegisterWith(grpc::ServerBuilder& builder) {
  builder.RegisterService(client_.get());
  builder.RegisterService(executor_.get());
}

}  // namespace cairn::compute
