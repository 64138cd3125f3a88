#include "namenode/ipc/sasl_negotiation.h"

#include "common/clock.h"
#include "namenode/delegation_token_manager.h"

namespace cairn::namenode::ipc {

using hadoop::common::RpcSaslProto;

SaslNegotiation::SaslNegotiation(std::string principal, std::string keytab, const DelegationTokenManager* tokens)
    : gss_(std::move(principal), std::move(keytab)), tokens_(tokens) {}

Result<RpcSaslProto> SaslNegotiation::Negotiate() {
  if (negotiated_) return ProtocolError("SASL NEGOTIATE sent twice");
  negotiated_ = true;
  RpcSaslProto out;
  out.set_state(RpcSaslProto::NEGOTIATE);
  if (tokens_ != nullptr) {
    const DelegationTokenManager* tokens = tokens_;
    ASSIGN_OR_RETURN(digest_, DigestMd5Server::Create([tokens](std::string_view identifier) {
                       return tokens->PasswordOf(identifier, WallMillis());
                     }));
    ASSIGN_OR_RETURN(std::string challenge, digest_->Start());
    auto* auth = out.add_auths();
    auth->set_method("TOKEN");
    auth->set_mechanism(std::string(kSaslTokenMechanism));
    auth->set_protocol(std::string(kSaslTokenProtocol));
    auth->set_serverid(std::string(kSaslTokenServerId));
    auth->set_challenge(std::move(challenge));
  }
  ASSIGN_OR_RETURN(*out.add_auths(), gss_.Offer());
  return out;
}

Result<RpcSaslProto> SaslNegotiation::TokenStep(const std::string& response) {
  ASSIGN_OR_RETURN(std::string rspauth, digest_->Step(response));
  done_ = true;
  RpcSaslProto out;
  out.set_state(RpcSaslProto::SUCCESS);
  out.set_token(std::move(rspauth));
  return out;
}

Result<RpcSaslProto> SaslNegotiation::Step(const RpcSaslProto& in) {
  if (done_) return ProtocolError("SASL message after authentication finished");
  if (in.state() == RpcSaslProto::NEGOTIATE) return Negotiate();
  if (in.state() == RpcSaslProto::INITIATE && !chosen_) {
    chosen_ = true;
    const std::string method = in.auths_size() > 0 ? in.auths(0).method() : "";
    if (method == "TOKEN") {
      if (digest_ == nullptr)
        return PermissionDenied("Client cannot authenticate via:[TOKEN]; the namenode offers [KERBEROS]");
      if (in.auths(0).mechanism() != kSaslTokenMechanism)
        return PermissionDenied("TOKEN authentication uses DIGEST-MD5, not {}", in.auths(0).mechanism());
      method_ = AuthMethod::kToken;
      return TokenStep(in.token());
    }
    if (method != "KERBEROS")
      return PermissionDenied("Client cannot authenticate via:[{}]; the namenode offers [{}KERBEROS]", method,
                              digest_ ? "TOKEN, " : "");
    method_ = AuthMethod::kKerberos;
  }
  if (!chosen_) return ProtocolError("SASL {} before INITIATE", RpcSaslProto::SaslState_Name(in.state()));
  if (method_ == AuthMethod::kToken) return ProtocolError("unexpected SASL message after the token response");
  ASSIGN_OR_RETURN(RpcSaslProto out, gss_.Step(in));
  done_ = gss_.done();
  return out;
}

}  // namespace cairn::namenode::ipc
