#include "client/ipc_kerberos.h"

#include "common/gssapi.h"
#include "common/sasl_digest.h"
#include "common/ipc_framing.h"
#include "common/proto_io.h"

namespace cairn::client {

using hadoop::common::RpcResponseHeaderProto;
using hadoop::common::RpcSaslProto;

namespace {
constexpr uint32_t kMaxSaslFrame = 1 << 20;

Status Send(Socket& socket, RpcSaslProto::SaslState state, std::string token,
            const RpcSaslProto::SaslAuth* auth = nullptr) {
  RpcSaslProto msg;
  msg.set_state(state);
  if (state != RpcSaslProto::NEGOTIATE) msg.set_token(std::move(token));
  if (auth) *msg.add_auths() = *auth;
  return socket.WriteFully(ipc::BuildSaslFrame(msg));
}

Result<RpcSaslProto> Receive(BufferedReader& in) {
  std::string frame;
  RETURN_IF_ERROR(ipc::ReadFrame(in, kMaxSaslFrame, &frame));
  RpcResponseHeaderProto header;
  std::string_view body;
  RETURN_IF_ERROR(ipc::ParseReplyFrame(frame, &header, &body));
  if (header.status() != RpcResponseHeaderProto::SUCCESS)
    return PermissionDenied("the namenode refused the login: {}", header.errormsg());
  RpcSaslProto msg;
  RETURN_IF_ERROR_CTX(ConsumeDelimited(&body, &msg), "SASL reply");
  return msg;
}
}  // namespace

Result<KerberosTarget> ParseKerberosTarget(const std::string& principal, const std::string& connect_host) {
  std::string name = principal.substr(0, principal.find('@'));
  KerberosTarget t;
  size_t slash = name.find('/');
  t.service = name.substr(0, slash);
  t.host = slash == std::string::npos ? "_HOST" : name.substr(slash + 1);
  if (t.host == "_HOST") t.host = connect_host;
  if (t.service.empty() || t.host.empty()) return InvalidArgument("'{}' is not a service principal (service/host@REALM)", principal);
  return t;
}

namespace {
Status KerberosExchange(Socket& socket, BufferedReader& in, const KerberosTarget& target) {
  ASSIGN_OR_RETURN(auto gss, GssContext::Initiator(target.service, target.host));
  ASSIGN_OR_RETURN(std::string token, gss->Step(""));
  RpcSaslProto::SaslAuth auth;
  auth.set_method("KERBEROS");
  auth.set_mechanism("GSSAPI");
  RETURN_IF_ERROR(Send(socket, RpcSaslProto::INITIATE, std::move(token), &auth));
  for (int round = 0; round < 16; ++round) {
    ASSIGN_OR_RETURN(RpcSaslProto msg, Receive(in));
    if (msg.state() == RpcSaslProto::SUCCESS) {
      if (!gss->established()) return PermissionDenied("the namenode ended the Kerberos login too early");
      return Status::OK();
    }
    if (msg.state() != RpcSaslProto::CHALLENGE)
      return ProtocolError("unexpected SASL {} from the namenode", RpcSaslProto::SaslState_Name(msg.state()));
    if (!gss->established()) {
      ASSIGN_OR_RETURN(std::string out, gss->Step(msg.token()));
      RETURN_IF_ERROR(Send(socket, RpcSaslProto::RESPONSE, std::move(out)));
      continue;
    }
    // Established: this is the wrapped security-layer offer.
    ASSIGN_OR_RETURN(std::string layers, gss->Unwrap(msg.token()));
    ASSIGN_OR_RETURN(std::string choice, ChooseNoSecurityLayer(layers));
    ASSIGN_OR_RETURN(std::string wrapped, gss->Wrap(choice));
    RETURN_IF_ERROR(Send(socket, RpcSaslProto::RESPONSE, std::move(wrapped)));
  }
  return ProtocolError("the Kerberos login with the namenode did not finish");
}

// DIGEST-MD5 in one round: our response to the challenge that came with the offer, then
// the namenode's SUCCESS carries rspauth, which proves it knew the token's password.
Status TokenExchange(Socket& socket, BufferedReader& in, const RpcSaslProto::SaslAuth& offer,
                     const hadoop::common::TokenProto& token) {
  ASSIGN_OR_RETURN(auto digest, DigestMd5Client::Create(token.identifier(), token.password()));
  ASSIGN_OR_RETURN(std::string response, digest->Step(offer.challenge()));
  RpcSaslProto::SaslAuth auth = offer;
  auth.clear_challenge();
  RETURN_IF_ERROR(Send(socket, RpcSaslProto::INITIATE, std::move(response), &auth));
  ASSIGN_OR_RETURN(RpcSaslProto msg, Receive(in));
  if (msg.state() != RpcSaslProto::SUCCESS)
    return ProtocolError("unexpected SASL {} from the namenode", RpcSaslProto::SaslState_Name(msg.state()));
  RETURN_IF_ERROR(digest->Step(msg.token()).status());
  if (!digest->done()) return PermissionDenied("the namenode did not prove it knows the delegation token");
  return Status::OK();
}
}  // namespace

Status AuthenticateToNamenode(Socket& socket, BufferedReader& in, const SaslLogin& login) {
  RETURN_IF_ERROR(Send(socket, RpcSaslProto::NEGOTIATE, ""));
  ASSIGN_OR_RETURN(RpcSaslProto offer, Receive(in));
  if (offer.state() == RpcSaslProto::SUCCESS)
    return PermissionDenied(
        "the namenode does not use Kerberos (it answered SIMPLE); unset CAIRN_NAMENODE_PRINCIPAL and "
        "HADOOP_TOKEN_FILE_LOCATION");
  if (login.token) {
    for (const auto& a : offer.auths()) {
      if (a.method() == "TOKEN" && a.mechanism() == kSaslTokenMechanism) return TokenExchange(socket, in, a, *login.token);
    }
    return PermissionDenied("the namenode does not accept delegation tokens");
  }
  bool kerberos = false;
  for (const auto& a : offer.auths()) kerberos |= a.method() == "KERBEROS";
  if (!kerberos) return PermissionDenied("the namenode offers no Kerberos login");
  return KerberosExchange(socket, in, login.target);
}


}  // namespace cairn::client
