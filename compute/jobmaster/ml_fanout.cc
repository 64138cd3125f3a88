#include "compute/jobmaster/ml_fanout.h"

#include <future>

#include <grpcpp/grpcpp.h>

#include "common/grpc_status.h"
#include "compute/ml/ops.h"

namespace cairn::compute {

MlFanout::Outcome MlFanout::Run(const std::string& job_id, const MlCommand& cmd,
                                const std::map<std::string, std::vector<int32_t>>& partitions, int64_t timeout_ms) {
  struct Call {
    std::string address;
    std::future<std::pair<grpc::Status, MlPartial>> result;
  };
  std::vector<Call> calls;
  for (const auto& [address, parts] : partitions) {
    auto stub = stubs_.For(address);
    MlProxyComputeRequest req;
    req.set_job_id(job_id);
    *req.mutable_request()->mutable_command() = cmd;
    req.mutable_request()->mutable_partitions()->Add(parts.begin(), parts.end());
    calls.push_back({address, std::async(std::launch::async, [stub, req = std::move(req), timeout_ms] {
                       grpc::ClientContext ctx;
                       ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
                       MlPartial partial;
                       grpc::Status st = stub->Compute(&ctx, req, &partial);
                       return std::make_pair(st, std::move(partial));
                     })});
  }
  Outcome out;
  for (Call& c : calls) {
    auto [st, partial] = c.result.get();
    if (!st.ok()) {
      // Unreachable workers (dead executor or worker) lose their partitions; other errors
      // (bad data, a wrong model) are the step's fault.
      if (st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
          st.error_code() == grpc::StatusCode::NOT_FOUND) {
        out.failed.push_back(c.address);
      }
      if (out.error.ok()) out.error = FromGrpcStatus(st).WithContext("ML worker " + c.address);
      continue;
    }
    if (out.error.ok()) {
      Status merged = ml::MergePartial(partial, &out.sum);
      if (!merged.ok()) out.error = merged;
    }
  }
  return out;
}

}  // namespace cairn::compute
