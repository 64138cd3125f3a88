// SaslNegotiation: the server side of Hadoop's SASL negotiation on the IPC door in
// kerberos mode, offering what the namenode accepts, in Hadoop's order:
//
//   TOKEN     (DIGEST-MD5, protocol "", server id "default"; the first challenge rides in
//              the offer) for a client holding a delegation token, when tokens are enabled
//   KERBEROS  (GSSAPI, SaslGssapiServer) for a client with a ticket
//
// The client's INITIATE picks one; the rest of the exchange goes to that mechanism. Once
// done(), method() says which, and principal() or token_identifier() who.
//
// Thread-safety: one connection's reader thread.
#pragma once

#include <memory>
#include <string>

#include "common/sasl_digest.h"
#include "common/status.h"
#include "hadoop/RpcHeader.pb.h"
#include "namenode/ipc/sasl_gssapi_server.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {
class DelegationTokenManager;
}

namespace cairn::namenode::ipc {

class SaslNegotiation {
 public:
  // `tokens` null: TOKEN is not offered.
  SaslNegotiation(std::string principal, std::string keytab, const DelegationTokenManager* tokens);

  Result<hadoop::common::RpcSaslProto> Step(const hadoop::common::RpcSaslProto& in);
  bool done() const { return done_; }
  AuthMethod method() const { return method_; }
  // KERBEROS: the client's principal ("alice@CAIRN.TEST").
  const std::string& principal() const { return gss_.client_principal(); }
  // TOKEN: the identifier of the delegation token it proved it holds.
  const std::string& token_identifier() const { return digest_->identifier(); }

 private:
  Result<hadoop::common::RpcSaslProto> Negotiate();
  Result<hadoop::common::RpcSaslProto> TokenStep(const std::string& response);

  SaslGssapiServer gss_;
  const DelegationTokenManager* const tokens_;
  std::unique_ptr<DigestMd5Server> digest_;
  bool negotiated_ = false;
  bool chosen_ = false;
  bool done_ = false;
  AuthMethod method_ = AuthMethod::kKerberos;
};

}  // namespace cairn::namenode::ipc
