// getDelegationToken, renewDelegationToken, cancelDelegationToken (HDFS's FSNamesystem
// rules): only a caller that logged in with Kerberos may get or renew a token, so a
// stolen token cannot be stretched into a permanent one; the owner or the renewer may
// cancel. In simple mode there is nothing to delegate: the answer holds no token.
#include "common/clock.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {

Status RequireKerberosLogin(const CallContext& caller, std::string_view what) {
  if (caller.auth == AuthMethod::kKerberos) return Status::OK();
  return PermissionDenied("Delegation Token can be {} only with kerberos authentication (the caller {} "
                          "authenticated with a delegation token)",
                          what, caller.user);
}

// The renewer as a short name: Hadoop clients send a principal ("yarn/host@REALM") or a
// user name.
Result<std::string> RenewerName(const NameSystem& nn, const std::string& renewer) {
  if (renewer.find_first_of("/@") == std::string::npos || nn.auth_to_local == nullptr) return renewer;
  return nn.auth_to_local->Map(renewer);
}

}  // namespace

Status GetDelegationToken(NameSystem& nn, const CallContext& caller, const hc::GetDelegationTokenRequestProto& req,
                          hc::GetDelegationTokenResponseProto* resp) {
  if (!nn.settings.security.kerberos()) return Status::OK();  // no token: security is off
  RETURN_IF_ERROR(RequireKerberosLogin(caller, "issued"));
  ASSIGN_OR_RETURN(std::string renewer, RenewerName(nn, req.renewer()));
  ASSIGN_OR_RETURN(*resp->mutable_token(), nn.delegation_tokens.Issue(caller.user, renewer, caller.real_user, WallMillis()));
  return Status::OK();
}

Status RenewDelegationToken(NameSystem& nn, const CallContext& caller, const hc::RenewDelegationTokenRequestProto& req,
                            hc::RenewDelegationTokenResponseProto* resp) {
  if (!nn.settings.security.kerberos()) return PermissionDenied("delegation tokens exist only when the namenode runs with --security=kerberos");
  RETURN_IF_ERROR(RequireKerberosLogin(caller, "renewed"));
  ASSIGN_OR_RETURN(int64_t expiry, nn.delegation_tokens.Renew(req.token(), caller.user, WallMillis()));
  resp->set_newexpirytime(static_cast<uint64_t>(expiry));
  return Status::OK();
}

Status CancelDelegationToken(NameSystem& nn, const CallContext& caller,
                             const hc::CancelDelegationTokenRequestProto& req,
                             hc::CancelDelegationTokenResponseProto*) {
  if (!nn.settings.security.kerberos()) return PermissionDenied("delegation tokens exist only when the namenode runs with --security=kerberos");
  return nn.delegation_tokens.Cancel(req.token(), caller.user);
}

}  // namespace cairn::namenode
