#include "compute/executor/ml_proxy.h"

#include "common/cluster_ca.h"
#include "common/grpc_status.h"
#include "common/tls_credentials.h"
#include "compute/ids.h"

namespace cairn::compute {

grpc::Status MlProxy::Compute(grpc::ServerContext* ctx, const MlProxyComputeRequest* req, MlPartial* resp) {
  if (Status who = RequirePeerRole(security_, *ctx, kJobMasterRole); !who.ok()) return ToGrpcStatus(who);
  if (!IsSafeId(req->job_id())) return ToGrpcStatus(InvalidArgument("bad job id '{}'", req->job_id()));
  auto address = lookup_(req->job_id());
  if (!address.ok()) return ToGrpcStatus(address.status());
  grpc::ClientContext call;
  call.set_deadline(ctx->deadline());
  grpc::Status st = stubs_.For(*address)->Compute(&call, req->request(), resp);
  // A worker that is gone is this node's loss of its partitions, as the job master expects.
  if (!st.ok() && st.error_code() == grpc::StatusCode::UNAVAILABLE) stubs_.Forget(*address);
  return st;
}

}  // namespace cairn::compute
