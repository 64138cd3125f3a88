// MlFanout: sends one ML step to the ML workers of a job's executors in parallel, each
// with the partitions it holds, and sums their partials (each already summed over its
// partitions by its worker: a two-level tree). A worker is reached through its executor's
// ML proxy (compute/executor/ml_proxy.h) at the executor's shuffle address, over TLS with
// the job master's certificate when the cluster has certificates. Keeps one channel per
// executor.
//
// Thread-safety: Run may be called from several threads; mu_ guards the channel cache and
// is not held across calls.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/security/credentials.h>

#include "cairn/ml_worker.grpc.pb.h"
#include "common/grpc_stub_cache.h"
#include "common/status.h"

namespace cairn::compute {

class MlFanout {
 public:
  struct Outcome {
    MlPartial sum;
    std::vector<std::string> failed;   // workers that did not answer (unreachable, crashed)
    Status error;                      // the first failure (of any kind)
  };
  // Channel credentials for the executors (null: plaintext); set before the first Run.
  void SetCredentials(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    stubs_.SetCredentials(std::move(credentials));
  }
  // partitions: executor (shuffle) address -> the partitions its worker of `job_id` is asked for.
  Outcome Run(const std::string& job_id, const MlCommand& cmd,
              const std::map<std::string, std::vector<int32_t>>& partitions, int64_t timeout_ms);
  void Forget(const std::string& address) { stubs_.Forget(address); }

 private:
  GrpcStubCache<cairn::MlWorkerProxy> stubs_{256 << 20};
};

}  // namespace cairn::compute
