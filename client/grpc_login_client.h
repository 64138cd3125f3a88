// GrpcLoginClient: the client side of a Kerberos login on one of Cairn's gRPC doors (the
// namenode's or the job master's; the server side is common/grpc_login.h). It logs in
// lazily with the ticket kinit got: one GSSAPI initiator token for the service's
// principal in, the service's mutual-authentication reply (checked) and a signed
// authentication token out. Every call then carries the token (x-cairn-authn-bin); the
// client logs in again a minute before it expires, and once more when a restarted service
// no longer knows its key (kLoginAgainMarker).
//
// Thread-safety: thread-safe; mu_ guards the token.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "cairn/login.pb.h"
#include "common/status.h"

namespace cairn::client {

class GrpcLoginClient {
 public:
  using AuthenticateCall =
      std::function<grpc::Status(grpc::ClientContext*, const AuthenticateRequest&, AuthenticateResponse*)>;

  // principal: the service's ("nn/_HOST@REALM"; _HOST becomes `host`, the host dialled);
  // service_name names it in errors ("the namenode's gRPC door").
  GrpcLoginClient(std::string principal, std::string host, std::string service_name, int timeout_ms,
                  AuthenticateCall authenticate);

  // Runs one call with the token: logs in first when it must, and once more when the
  // service asks for it. `call` sets its own deadline and metadata, then calls.
  Status Call(const std::function<Status(grpc::ClientContext*)>& call);

 private:
  Status LogIn(bool again);

  const std::string principal_;
  const std::string host_;
  const std::string service_name_;
  const int timeout_ms_;
  const AuthenticateCall authenticate_;
  std::mutex mu_;
  std::string token_;      // guarded by mu_
  int64_t expiry_ms_ = 0;  // guarded by mu_
};

}  // namespace cairn::client
