// MlProxy: the executor's door to its ML workers (service cairn.MlWorkerProxy, on the
// shuffle port). An ML job's worker runs as the job's user and listens only on a Unix
// socket in its directory (compute/ml/worker/worker_address.h), so a process of the
// user's (or anyone's) code never serves the network, and never holds a daemon
// certificate. The job master sends each step here, over TLS with its jobmaster
// certificate when the cluster has certificates (only that role may call); the proxy
// passes it on to the job's worker on this node and returns its partial.
//
// Thread-safety: gRPC calls Compute on its threads; the lookup must be thread-safe.
#pragma once

#include <functional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "cairn/ml_worker.grpc.pb.h"
#include "common/grpc_stub_cache.h"
#include "common/security_settings.h"
#include "common/status.h"

namespace cairn::compute {

// The gRPC address of a job's worker on this node; kNotFound when it has none.
using MlWorkerLookup = std::function<Result<std::string>(const std::string& job_id)>;

class MlProxy final : public MlWorkerProxy::Service {
 public:
  MlProxy(SecuritySettings security, MlWorkerLookup lookup)
      : security_(std::move(security)), lookup_(std::move(lookup)) {}

  grpc::Status Compute(grpc::ServerContext* ctx, const MlProxyComputeRequest* req, MlPartial* resp) override;

 private:
  const SecuritySettings security_;
  const MlWorkerLookup lookup_;
  GrpcStubCache<cairn::MlWorker> stubs_{256 << 20};  // by worker address
};

}  // namespace cairn::compute
