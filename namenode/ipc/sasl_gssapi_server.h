// SaslGssapiServer: the server half of Hadoop's SASL negotiation for method KERBEROS
// (mechanism GSSAPI, RFC 4752), as the namenode's IPC door runs it in --security=kerberos
// mode. The messages are RpcSaslProto frames with call id -33, before the connection
// context:
//
//   client NEGOTIATE              -> NEGOTIATE offering {KERBEROS, GSSAPI, nn, <host>}
//   client INITIATE(GSS token)    -> CHALLENGE(GSS token) while the context needs more steps
//   client RESPONSE(GSS token)    -> ... until established, then CHALLENGE(wrapped offer of
//                                    "no security layer")
//   client RESPONSE(wrapped choice) -> SUCCESS: client_principal() is authenticated
//
// Anything else (another method, a bad token, an expired ticket, a layer we do not offer)
// is an error the connection answers with a FATAL AccessControlException.
//
// Thread-safety: one connection's reader thread.
#pragma once

#include <memory>
#include <string>

#include "common/gssapi.h"
#include "common/status.h"
#include "hadoop/RpcHeader.pb.h"

namespace cairn::namenode::ipc {

class SaslGssapiServer {
 public:
  // `principal` is the namenode's own, e.g. "nn/localhost@CAIRN.TEST"; its keys are in
  // `keytab`.
  SaslGssapiServer(std::string principal, std::string keytab);

  Result<hadoop::common::RpcSaslProto> Step(const hadoop::common::RpcSaslProto& in);
  // What a NEGOTIATE reply offers for KERBEROS (Step(NEGOTIATE) sends just this).
  Result<hadoop::common::RpcSaslProto::SaslAuth> Offer();
  bool done() const { return state_ == State::kDone; }
  // The authenticated client ("alice@CAIRN.TEST"), once done().
  const std::string& client_principal() const { return client_; }

 private:
  enum class State { kStart, kNegotiated, kEstablishing, kAwaitEmptyResponse, kAwaitLayerChoice, kDone };
  Result<hadoop::common::RpcSaslProto> Establish(const std::string& token);
  Result<hadoop::common::RpcSaslProto> OfferSecurityLayer();

  const std::string principal_;
  const std::string keytab_;
  State state_ = State::kStart;
  std::unique_ptr<GssContext> gss_;
  std::string client_;
};

}  // namespace cairn::namenode::ipc
