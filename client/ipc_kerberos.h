// The client half of Hadoop's SASL negotiation for Kerberos (method KERBEROS, mechanism
// GSSAPI), run by IpcChannel on each new connection when the namenode's principal is
// configured: NEGOTIATE, INITIATE with the first GSSAPI token (from the ticket cache that
// kinit filled), CHALLENGE/RESPONSE until the context is established, then "no security
// layer" in answer to the namenode's wrapped offer, and SUCCESS. The connection context
// that follows names the ticket's user.
//
// A missing or expired ticket, a namenode that offers no KERBEROS or a failed exchange is
// kPermissionDenied with the reason.
//
// Thread-safety: one connection, one thread.
#pragma once

#include <string>

#include "common/socket.h"
#include "common/status.h"

namespace cairn::client {

// "nn/_HOST@REALM" (or "nn/host@REALM", or "nn") names the namenode's principal; _HOST
// (or no host) means the host the client connects to.
struct KerberosTarget {
  std::string service;  // "nn"
  std::string host;     // "localhost"
};
Result<KerberosTarget> ParseKerberosTarget(const std::string& principal, const std::string& connect_host);

// Runs the exchange on a connection whose SASL preamble was just sent.
Status AuthenticateWithKerberos(Socket& socket, BufferedReader& in, const KerberosTarget& target);

// The principal of the ticket cache ($KRB5CCNAME), e.g. "alice@CAIRN.TEST".
Result<std::string> TicketCachePrincipal();

}  // namespace cairn::client
