// GrpcLogin: who is calling the namenode's gRPC door in kerberos mode (Kudu's model).
// A client logs in once with Kerberos: Authenticate takes its GSSAPI initiator token for
// the namenode's principal (one round trip: the krb5 mechanism's AP-REQ), maps the
// principal through auth_to_local, and hands back a signed authentication token that
// names the user and expires after `token_lifetime_ms`. Every later call carries that
// token (x-cairn-authn-bin) and is checked with one HMAC, no KDC involved; a delegation
// token (x-cairn-delegation-bin) is accepted the same way, as its owner. The x-cairn-user
// header counts for nothing here.
//
// Signing keys live in memory only and roll every token lifetime (the previous key is
// kept for one more); a restarted namenode refuses older tokens with kLoginAgainMarker
// in the message, and clients log in again.
//
// Thread-safety: thread-safe; mu_ guards the keys.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cairn/namenode.pb.h"
#include "common/auth_to_local.h"
#include "common/status.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

class DelegationTokenManager;

struct GrpcLoginSettings {
  std::string principal;  // the namenode's, e.g. "nn/localhost@CAIRN.TEST"
  std::string keytab;
  const AuthToLocal* auth_to_local = nullptr;  // owned by the Namenode
  const DelegationTokenManager* delegation_tokens = nullptr;  // null: not accepted
  int64_t token_lifetime_ms = 3600 * 1000;
};

class GrpcLogin {
 public:
  explicit GrpcLogin(GrpcLoginSettings settings);

  Result<AuthenticateResponse> Authenticate(const AuthenticateRequest& req, int64_t now_ms);

  // The caller proven by one call's tokens (either may be empty), and the principal it
  // logged in as ("" for a delegation token); kPermissionDenied when neither proves anything.
  struct Caller {
    CallContext context;
    std::string principal;
  };
  Result<Caller> Check(std::string_view authn_token, std::string_view delegation_token, int64_t now_ms) const;

 private:
  struct Key {
    std::string bytes;
    int64_t created_ms = 0;
  };
  std::string Sign(const AuthnTokenIdentifierProto& id, int64_t now_ms);

  const GrpcLoginSettings settings_;
  mutable std::mutex mu_;
  std::map<uint32_t, Key> keys_;  // the current key (highest id) and the one before it
  // Starts at a random point, so a restarted namenode's ids do not match the keys of
  // tokens it signed before (those clients are told to log in again).
  uint32_t next_key_id_ = 1;
};

}  // namespace cairn::namenode
