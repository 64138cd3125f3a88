// The client half of Hadoop's SASL negotiation, run by IpcChannel on each new connection
// to a kerberos namenode. After NEGOTIATE it logs in one of two ways:
//  - with a delegation token (method TOKEN, DIGEST-MD5; common/sasl_digest.h) when it
//    holds one: INITIATE answers the challenge that came with the offer, and SUCCESS
//    carries the namenode's proof that it knows the token's password;
//  - else with Kerberos (method KERBEROS, GSSAPI): INITIATE with the first GSSAPI token
//    (from the ticket cache that kinit filled), CHALLENGE/RESPONSE until the context is
//    established, then "no security layer" in answer to the namenode's wrapped offer, and
//    SUCCESS.
// The connection context that follows names the ticket's or the token's user.
//
// A missing or expired ticket or token, a namenode that offers neither, or a failed
// exchange is kPermissionDenied with the reason.
//
// Thread-safety: one connection, one thread.
#pragma once

#include <optional>
#include <string>

#include "common/socket.h"
#include "common/status.h"
#include "hadoop/Security.pb.h"

namespace cairn::client {

// "nn/_HOST@REALM" (or "nn/host@REALM", or "nn") names the namenode's principal; _HOST
// (or no host) means the host the client connects to.
struct KerberosTarget {
  std::string service;  // "nn"
  std::string host;     // "localhost"
};
Result<KerberosTarget> ParseKerberosTarget(const std::string& principal, const std::string& connect_host);

struct SaslLogin {
  KerberosTarget target;                                 // for KERBEROS
  std::optional<hadoop::common::TokenProto> token;       // set: TOKEN instead
};

// Runs the exchange on a connection whose SASL preamble was just sent.
Status AuthenticateToNamenode(Socket& socket, BufferedReader& in, const SaslLogin& login);

}  // namespace cairn::client
