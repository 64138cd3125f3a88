#include "client/grpc_login_client.h"

#include <chrono>

#include "client/ipc_kerberos.h"
#include "common/clock.h"
#include "common/grpc_status.h"
#include "common/gssapi.h"

namespace cairn::client {

GrpcLoginClient::GrpcLoginClient(std::string principal, std::string host, std::string service_name, int timeout_ms,
                                 AuthenticateCall authenticate)
    : principal_(std::move(principal)),
      host_(std::move(host)),
      service_name_(std::move(service_name)),
      timeout_ms_(timeout_ms),
      authenticate_(std::move(authenticate)) {}

Status GrpcLoginClient::LogIn(bool again) {
  std::lock_guard lock(mu_);
  // Log in again a minute before the token expires, so no call carries a dead one.
  if (!again && !token_.empty() && WallMillis() < expiry_ms_ - 60'000) return Status::OK();
  ASSIGN_OR_RETURN(KerberosTarget target, ParseKerberosTarget(principal_, host_));
  ASSIGN_OR_RETURN(auto gss, GssContext::Initiator(target.service, target.host));
  ASSIGN_OR_RETURN(std::string gss_token, gss->Step(""));
  AuthenticateRequest req;
  req.set_gss_token(std::move(gss_token));
  AuthenticateResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms_));
  Status st = FromGrpcStatus(authenticate_(&ctx, req, &resp));
  if (!st.ok()) return st.WithContext("Kerberos login with " + service_name_);
  // Mutual authentication: the reply proves the service holds its principal's keys.
  if (!gss->established()) {
    RETURN_IF_ERROR(gss->Step(resp.gss_token()).status());
    if (!gss->established()) return PermissionDenied("{}'s Kerberos reply did not complete the login", service_name_);
  }
  token_ = resp.authn_token();
  expiry_ms_ = static_cast<int64_t>(resp.expiry_ms());
  return Status::OK();
}

Status GrpcLoginClient::Call(const std::function<Status(grpc::ClientContext*)>& call) {
  for (int round = 0;; ++round) {
    RETURN_IF_ERROR(LogIn(/*again=*/round > 0));
    grpc::ClientContext ctx;
    {
      std::lock_guard lock(mu_);
      ctx.AddMetadata(kAuthnTokenMetadataKey, token_);
    }
    Status st = call(&ctx);
    if (round == 0 && st.code() == ErrorCode::kPermissionDenied &&
        st.message().find(kLoginAgainMarker) != std::string::npos)
      continue;
    return st;
  }
}

}  // namespace cairn::client
