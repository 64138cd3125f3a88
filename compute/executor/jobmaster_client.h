// JobmasterClient: the executor's calls to the job master (service cairn.ExecutorProtocol).
// The gRPC implementation is what datanodes use; tests may substitute a fake. Every call
// has a deadline; an unreachable job master is kUnavailable / kTimedOut, which the executor
// retries.
//
// Thread-safety: implementations may be called from any thread.
#pragma once

#include <memory>

#include <grpcpp/security/credentials.h>
#include <string>

#include "cairn/compute.pb.h"
#include "common/status.h"

namespace cairn::compute {

class JobmasterClient {
 public:
  virtual ~JobmasterClient() = default;
  virtual Result<RegisterExecutorResponse> Register(const RegisterExecutorRequest& request) = 0;
  virtual Result<ExecutorHeartbeatResponse> Heartbeat(const ExecutorHeartbeatRequest& request) = 0;
  // Cancels calls in flight and fails later ones (shutdown).
  virtual void Shutdown() {}
};

// credentials null: plaintext; with TLS, the datanode's certificate proves the executor.
std::unique_ptr<JobmasterClient> MakeGrpcJobmasterClient(const std::string& address, int timeout_ms,
                                                         std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace cairn::compute
