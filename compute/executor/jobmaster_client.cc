#include "compute/executor/jobmaster_client.h"

#include <grpcpp/grpcpp.h>

#include "cairn/compute.grpc.pb.h"
#include "common/cancellable_calls.h"

namespace cairn::compute {

namespace {

class GrpcJobmasterClient final : public JobmasterClient {
 public:
  GrpcJobmasterClient(const std::string& address, int timeout_ms, std::shared_ptr<grpc::ChannelCredentials> credentials)
      : calls_("executor", timeout_ms), stub_(ExecutorProtocol::NewStub(MakeServiceChannel(address, std::move(credentials)))) {}

  Result<RegisterExecutorResponse> Register(const RegisterExecutorRequest& request) override {
    return Call<RegisterExecutorResponse>(&ExecutorProtocol::Stub::RegisterExecutor, request);
  }
  Result<ExecutorHeartbeatResponse> Heartbeat(const ExecutorHeartbeatRequest& request) override {
    return Call<ExecutorHeartbeatResponse>(&ExecutorProtocol::Stub::Heartbeat, request);
  }
  void Shutdown() override { calls_.Shutdown(); }

 private:
  template <typename Resp, typename Req, typename Method>
  Result<Resp> Call(Method method, const Req& request) {
    return calls_.Call<Resp>(stub_.get(), method, request);
  }

  CancellableCalls calls_;
  std::unique_ptr<ExecutorProtocol::Stub> stub_;
};

}  // namespace

std::unique_ptr<JobmasterClient> MakeGrpcJobmasterClient(const std::string& address, int timeout_ms,
                                                         std::shared_ptr<grpc::ChannelCredentials> credentials) {
  return std::make_unique<GrpcJobmasterClient>(address, timeout_ms, std::move(credentials));
}

}  // namespace cairn::compute
