#include "namenode/ipc/sasl_gssapi_server.h"

#include "common/auth_to_local.h"

namespace cairn::namenode::ipc {

using hadoop::common::RpcSaslProto;

namespace {
RpcSaslProto Challenge(std::string token) {
  RpcSaslProto out;
  out.set_state(RpcSaslProto::CHALLENGE);
  out.set_token(std::move(token));
  return out;
}
}  // namespace

SaslGssapiServer::SaslGssapiServer(std::string principal, std::string keytab)
    : principal_(std::move(principal)), keytab_(std::move(keytab)) {}

Result<RpcSaslProto> SaslGssapiServer::OfferSecurityLayer() {
  ASSIGN_OR_RETURN(std::string wrapped, gss_->Wrap(NoSecurityLayerOffer()));
  state_ = State::kAwaitLayerChoice;
  return Challenge(std::move(wrapped));
}

Result<RpcSaslProto> SaslGssapiServer::Establish(const std::string& token) {
  ASSIGN_OR_RETURN(std::string out, gss_->Step(token));
  if (!gss_->established()) {
    state_ = State::kEstablishing;
    return Challenge(std::move(out));
  }
  client_ = gss_->peer();
  if (!out.empty()) {  // mutual authentication: the client takes our reply, then answers empty
    state_ = State::kAwaitEmptyResponse;
    return Challenge(std::move(out));
  }
  return OfferSecurityLayer();
}

Result<RpcSaslProto::SaslAuth> SaslGssapiServer::Offer() {
  if (state_ != State::kStart) return ProtocolError("SASL NEGOTIATE sent twice");
  ASSIGN_OR_RETURN(PrincipalParts parts, SplitPrincipal(principal_));
  RpcSaslProto::SaslAuth auth;
  auth.set_method("KERBEROS");
  auth.set_mechanism("GSSAPI");
  auth.set_protocol(parts.components[0]);
  auth.set_serverid(parts.components.size() > 1 ? parts.components[1] : "");
  state_ = State::kNegotiated;
  return auth;
}

Result<RpcSaslProto> SaslGssapiServer::Step(const RpcSaslProto& in) {
  switch (in.state()) {
    case RpcSaslProto::NEGOTIATE: {
      ASSIGN_OR_RETURN(RpcSaslProto::SaslAuth auth, Offer());
      RpcSaslProto out;
      out.set_state(RpcSaslProto::NEGOTIATE);
      *out.add_auths() = std::move(auth);
      return out;
    }
    case RpcSaslProto::INITIATE: {
      if (state_ != State::kNegotiated && state_ != State::kStart) return ProtocolError("unexpected SASL INITIATE");
      if (in.auths_size() == 0 || in.auths(0).method() != "KERBEROS" || in.auths(0).mechanism() != "GSSAPI")
        return PermissionDenied("Client cannot authenticate via:[{}]; the namenode offers [KERBEROS]",
                                in.auths_size() > 0 ? in.auths(0).method() : "");
      ASSIGN_OR_RETURN(gss_, GssContext::Acceptor(principal_, keytab_));
      return Establish(in.token());
    }
    case RpcSaslProto::RESPONSE:
      switch (state_) {
        case State::kEstablishing: return Establish(in.token());
        case State::kAwaitEmptyResponse: return OfferSecurityLayer();
        case State::kAwaitLayerChoice: {
          ASSIGN_OR_RETURN(std::string choice, gss_->Unwrap(in.token()));
          RETURN_IF_ERROR(CheckNoSecurityLayerChosen(choice));
          state_ = State::kDone;
          RpcSaslProto out;
          out.set_state(RpcSaslProto::SUCCESS);
          return out;
        }
        default: return ProtocolError("unexpected SASL RESPONSE");
      }
    default:
      return ProtocolError("unexpected SASL state {}", RpcSaslProto::SaslState_Name(in.state()));
  }
}

}  // namespace cairn::namenode::ipc
