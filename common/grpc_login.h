// GrpcLogin: who is calling one of Cairn's gRPC doors in kerberos mode (Kudu's model); the
// namenode's door and the job master's each hold one. A client logs in once with
// Kerberos: Authenticate takes its GSSAPI initiator token for the service's principal (one
// round trip: the krb5 mechanism's AP-REQ), maps the principal through auth_to_local, and
// hands back a signed authentication token that names the user and expires after
// `token_lifetime_ms`. Every later call carries that token (x-cairn-authn-bin) and is
// checked with one HMAC, no KDC involved. Where the service can verify delegation tokens
// (the namenode), one in x-cairn-delegation-bin is accepted the same way, as its owner.
// The x-cairn-user header counts for nothing here.
//
// Signing keys live in memory only and roll every token lifetime (the previous key is
// kept for one more); a restarted service refuses older tokens with kLoginAgainMarker in
// the message, and clients log in again (client/grpc_login_client.h).
//
// Thread-safety: thread-safe; mu_ guards the keys.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "hadoop/Security.pb.h"
#include "cairn/login.pb.h"
#include "common/auth_to_local.h"
#include "common/status.h"

namespace cairn {

struct GrpcLoginSettings {
  std::string principal;  // the service's, e.g. "nn/localhost@CAIRN.TEST"
  std::string keytab;
  const AuthToLocal* auth_to_local = nullptr;  // owned by the service
  // Verifies a delegation token and returns its owner; empty: none are accepted.
  std::function<Result<std::string>(const hadoop::common::TokenProto&, int64_t now_ms)> verify_delegation_token;
  int64_t token_lifetime_ms = 3600 * 1000;
  std::string door = "the gRPC door";  // in messages: "the namenode's gRPC door"
  std::string no_credentials_message;  // what a call with neither token is told
};

// The caller one call's tokens prove.
struct GrpcCaller {
  std::string user;
  std::string principal;              // the Kerberos principal it logged in as ("" for a token)
  bool by_delegation_token = false;
};

class GrpcLogin {
 public:
  explicit GrpcLogin(GrpcLoginSettings settings);

  Result<AuthenticateResponse> Authenticate(const AuthenticateRequest& req, int64_t now_ms);

  // The caller proven by one call's tokens (either may be empty); kPermissionDenied when
  // neither proves anything.
  Result<GrpcCaller> Check(std::string_view authn_token, std::string_view delegation_token, int64_t now_ms) const;

 private:
  struct Key {
    std::string bytes;
    int64_t created_ms = 0;
  };
  std::string Sign(const AuthnTokenIdentifierProto& id, int64_t now_ms);

  const GrpcLoginSettings settings_;
  mutable std::mutex mu_;
  std::map<uint32_t, Key> keys_;  // the current key (highest id) and the one before it
  // Starts at a random point, so a restarted service's ids do not match the keys of
  // tokens it signed before (those clients are told to log in again).
  uint32_t next_key_id_ = 1;
};

}  // namespace cairn
