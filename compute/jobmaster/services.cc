#include "compute/jobmaster/services.h"

#include "common/grpc_status.h"
#include "compute/jobmaster/job_master.h"

namespace cairn::compute {

namespace {
std::string CallerUser(const grpc::ServerContext* ctx) {
  auto it = ctx->client_metadata().find(kUserMetadataKey);
  if (it == ctx->client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}
}  // namespace

class JobMasterServices::ClientService final : public cairn::JobMaster::Service {
 public:
  explicit ClientService(compute::JobMaster* master) : master_(master) {}

  grpc::Status SubmitJob(grpc::ServerContext* ctx, const SubmitJobRequest* req, SubmitJobResponse* resp) override {
    auto id = master_->Submit(req->spec(), CallerUser(ctx));
    if (!id.ok()) return ToGrpcStatus(id.status());
    resp->set_job_id(*id);
    return grpc::Status::OK;
  }
  grpc::Status ListExecutors(grpc::ServerContext*, const ListExecutorsRequest*, ListExecutorsResponse* resp) override {
    for (auto& e : master_->ListExecutors()) *resp->add_executors() = std::move(e);
    return grpc::Status::OK;
  }
  grpc::Status GetJob(grpc::ServerContext*, const GetJobRequest* req, GetJobResponse* resp) override {
    auto job = master_->GetJob(req->job_id(), req->include_tasks());
    if (!job.ok()) return ToGrpcStatus(job.status());
    *resp->mutable_job() = std::move(*job);
    return grpc::Status::OK;
  }
  grpc::Status ListJobs(grpc::ServerContext*, const ListJobsRequest* req, ListJobsResponse* resp) override {
    for (auto& j : master_->ListJobs(req->include_finished())) *resp->add_jobs() = std::move(j);
    return grpc::Status::OK;
  }
  grpc::Status KillJob(grpc::ServerContext* ctx, const KillJobRequest* req, KillJobResponse* resp) override {
    auto state = master_->Kill(req->job_id(), CallerUser(ctx));
    if (!state.ok()) return ToGrpcStatus(state.status());
    resp->set_state(*state);
    return grpc::Status::OK;
  }
  grpc::Status MlStep(grpc::ServerContext* ctx, const MlStepRequest* req, MlStepResponse* resp) override {
    auto r = master_->MlStep(*req, CallerUser(ctx));
    if (!r.ok()) return ToGrpcStatus(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }
  grpc::Status MlFinish(grpc::ServerContext* ctx, const MlFinishRequest* req, MlFinishResponse*) override {
    return ToGrpcStatus(master_->MlFinish(*req, CallerUser(ctx)));
  }

 private:
  compute::JobMaster* const master_;
};

class JobMasterServices::ExecutorService final : public ExecutorProtocol::Service {
 public:
  explicit ExecutorService(compute::JobMaster* master) : master_(master) {}

  grpc::Status RegisterExecutor(grpc::ServerContext*, const RegisterExecutorRequest* req,
                                RegisterExecutorResponse* resp) override {
    auto r = master_->RegisterExecutor(*req);
    if (!r.ok()) return ToGrpcStatus(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }
  grpc::Status Heartbeat(grpc::ServerContext*, const ExecutorHeartbeatRequest* req,
                         ExecutorHeartbeatResponse* resp) override {
    auto r = master_->Heartbeat(*req);
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
