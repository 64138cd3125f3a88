#include "compute/executor/jobmaster_client.h"

#include <grpcpp/grpcpp.h>

#include <mutex>
#include <unordered_set>

#include "cairn/compute.grpc.pb.h"
#include "common/grpc_status.h"

namespace cairn::compute {

namespace {

class GrpcJobmasterClient final : public JobmasterClient {
 public:
  GrpcJobmasterClient(const std::string& address, int timeout_ms) : timeout_ms_(timeout_ms) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetMaxReceiveMessageSize(-1);
    stub_ = ExecutorProtocol::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }

  Result<RegisterExecutorResponse> Register(const RegisterExecutorRequest& request) override {
    return Call<RegisterExecutorResponse>(&ExecutorProtocol::Stub::RegisterExecutor, request);
  }
  Result<ExecutorHeartbeatResponse> Heartbeat(const ExecutorHeartbeatRequest& request) override {
    return Call<ExecutorHeartbeatResponse>(&ExecutorProtocol::Stub::Heartbeat, request);
  }
  void Shutdown() override {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    for (grpc::ClientContext* ctx : active_) ctx->TryCancel();
  }

 private:
  template <typename Resp, typename Req, typename Method>
  Result<Resp> Call(Method method, const Req& request) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms_));
    {
      std::lock_guard lock(mu_);
      if (shutdown_) return Unavailable("executor is shutting down");
      active_.insert(&ctx);
    }
    Resp response;
    grpc::Status st = (stub_.get()->*method)(&ctx, request, &response);
    {
      std::lock_guard lock(mu_);
      active_.erase(&ctx);
    }
    if (!st.ok()) return FromGrpcStatus(st);
    return response;
  }

  const int timeout_ms_;
  std::mutex mu_;
  std::unordered_set<grpc::ClientContext*> active_;  // guarded by mu_
  bool shutdown_ = false;                            // guarded by mu_
  std::unique_ptr<ExecutorProtocol::Stub> stub_;
};

}  // namespace

std::unique_ptr<JobmasterClient> MakeGrpcJobmasterClient(const std::string& address, int timeout_ms) {
  return std::make_unique<GrpcJobmasterClient>(address, timeout_ms);
}

}  // namespace cairn::compute
