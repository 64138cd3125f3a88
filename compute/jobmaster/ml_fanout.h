// MlFanout: sends one ML step to the ML workers of a job's executors in parallel, each
// with the partitions it holds, and sums their partials (each already summed over its
// partitions by its worker: a two-level tree). Keeps one channel per worker address.
//
// Thread-safety: Run may be called from several threads; mu_ guards the channel cache and
// is not held across calls.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cairn/ml_worker.grpc.pb.h"
#include "common/status.h"

namespace cairn::compute {

class MlFanout {
 public:
  struct Outcome {
    MlPartial sum;
    std::vector<std::string> failed;   // workers that did not answer (unreachable, crashed)
    Status error;                      // the first failure (of any kind)
  };
  // partitions: worker address -> the partitions it is asked for.
  Outcome Run(const MlCommand& cmd, const std::map<std::string, std::vector<int32_t>>& partitions,
              int64_t timeout_ms);
  void Forget(const std::string& address);

 private:
  std::shared_ptr<cairn::MlWorker::Stub> StubFor(const std::string& address);

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<cairn::MlWorker::Stub>> stubs_;  // guarded by mu_
};

}  // namespace cairn::compute
