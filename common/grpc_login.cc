#include "common/grpc_login.h"

#include <cstring>

#include "common/gssapi.h"
#include "common/grpc_status.h"
#include "common/hmac.h"

namespace cairn {

namespace {
constexpr size_t kKeyBytes = 32;
}

GrpcLogin::GrpcLogin(GrpcLoginSettings settings) : settings_(std::move(settings)) {
  const std::string seed = RandomSecret(sizeof next_key_id_);
  std::memcpy(&next_key_id_, seed.data(), sizeof next_key_id_);
  next_key_id_ = (next_key_id_ & 0x7fffffff) | 1;
}

std::string GrpcLogin::Sign(const AuthnTokenIdentifierProto& unsigned_id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (keys_.empty() || now_ms - keys_.rbegin()->second.created_ms >= settings_.token_lifetime_ms) {
    keys_[next_key_id_++] = Key{RandomSecret(kKeyBytes), now_ms};
    while (keys_.size() > 2) keys_.erase(keys_.begin());
  }
  AuthnTokenIdentifierProto id = unsigned_id;
  id.set_key_id(keys_.rbegin()->first);
  AuthnTokenProto token;
  token.set_identifier(id.SerializeAsString());
  token.set_signature(HmacSha256(keys_.rbegin()->second.bytes, token.identifier()));
  return token.SerializeAsString();
}

Result<AuthenticateResponse> GrpcLogin::Authenticate(const AuthenticateRequest& req, int64_t now_ms) {
  if (req.gss_token().empty()) return PermissionDenied("the login carries no Kerberos token");
  ASSIGN_OR_RETURN(auto gss, GssContext::Acceptor(settings_.principal, settings_.keytab));
  ASSIGN_OR_RETURN(std::string reply, gss->Step(req.gss_token()));
  if (!gss->established())
    return PermissionDenied("the Kerberos login did not complete in one step (only the krb5 mechanism is accepted)");
  ASSIGN_OR_RETURN(std::string user, settings_.auth_to_local->Map(gss->peer()));
  AuthnTokenIdentifierProto id;
  id.set_user(user);
  id.set_principal(gss->peer());
  id.set_expiry_ms(static_cast<uint64_t>(now_ms + settings_.token_lifetime_ms));
  AuthenticateResponse resp;
  resp.set_gss_token(reply);
  resp.set_authn_token(Sign(id, now_ms));
  resp.set_expiry_ms(id.expiry_ms());
  resp.set_user(user);
  return resp;
}

Result<GrpcCaller> GrpcLogin::Check(std::string_view authn_token, std::string_view delegation_token,
                                           int64_t now_ms) const {
  GrpcCaller caller;
  if (!authn_token.empty()) {
    AuthnTokenProto token;
    AuthnTokenIdentifierProto id;
    if (!token.ParseFromArray(authn_token.data(), static_cast<int>(authn_token.size())) ||
        !id.ParseFromString(token.identifier()))
      return PermissionDenied("{}'s authentication token is malformed", settings_.door);
    {
      std::lock_guard lock(mu_);
      auto key = keys_.find(id.key_id());
      if (key == keys_.end())
        return PermissionDenied("{} does not know the key of this authentication token {}", settings_.door,
                                kLoginAgainMarker);
      if (!ConstantTimeEquals(HmacSha256(key->second.bytes, token.identifier()), token.signature()))
        return PermissionDenied("{}'s authentication token has a wrong signature (forged)", settings_.door);
    }
    if (static_cast<int64_t>(id.expiry_ms()) < now_ms)
      return PermissionDenied("{}'s authentication token of {} expired {}", settings_.door, id.user(),
                              kLoginAgainMarker);
    caller.user = id.user();
    caller.principal = id.principal();
    return caller;
  }
  if (!delegation_token.empty()) {
    if (!settings_.verify_delegation_token)
      return PermissionDenied("{} accepts no delegation tokens", settings_.door);
    hadoop::common::TokenProto token;
    if (!token.ParseFromArray(delegation_token.data(), static_cast<int>(delegation_token.size())))
      return PermissionDenied("the delegation token is malformed");
    ASSIGN_OR_RETURN(caller.user, settings_.verify_delegation_token(token, now_ms));
    caller.by_delegation_token = true;
    return caller;
  }
  return PermissionDenied("{}", settings_.no_credentials_message);
}

}  // namespace cairn
