// Kerberos through MIT GSSAPI, as Hadoop's SASL GSSAPI mechanism (RFC 4752) uses it:
// GssContext wraps one security context, as the acceptor (the namenode, with its keytab)
// or the initiator (a client, with the ticket cache kinit filled). On top of the context,
// RFC 4752's last exchange chooses the "security layer": Cairn, like Hadoop's default
// hadoop.rpc.protection=authentication, offers and accepts only "no layer" (messages go
// unwrapped after authentication; TLS is what protects data).
//
// Errors come back as kPermissionDenied with GSSAPI's own major/minor text ("No Kerberos
// credentials available", "Clock skew too great", ...).
//
// Thread-safety: a GssContext belongs to one connection's thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

class GssContext {
 public:
  ~GssContext();
  GssContext(const GssContext&) = delete;
  GssContext& operator=(const GssContext&) = delete;

  // Acceptor for `principal` (e.g. "nn/localhost@CAIRN.TEST") with keys from `keytab`.
  static Result<std::unique_ptr<GssContext>> Acceptor(const std::string& principal, const std::string& keytab);
  // Initiator towards host-based service `service@host` (e.g. "nn@localhost"), with the
  // default credentials (the ticket cache $KRB5CCNAME names).
  static Result<std::unique_ptr<GssContext>> Initiator(const std::string& service, const std::string& host);

  // One step of context establishment: the peer's token in (empty for an initiator's
  // first step), the token to send back out (possibly empty).
  Result<std::string> Step(std::string_view in);
  bool established() const { return established_; }
  // The initiator's principal, once established (acceptor side), e.g. "alice@CAIRN.TEST".
  const std::string& peer() const { return peer_; }

  // Integrity-protected (not encrypted) messages of the security-layer exchange.
  Result<std::string> Wrap(std::string_view message);
  Result<std::string> Unwrap(std::string_view token);

 private:
  struct Impl;
  explicit GssContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  bool established_ = false;
  std::string peer_;
};

// The default realm of krb5.conf ($KRB5_CONFIG).
Result<std::string> DefaultKerberosRealm();

// The principal of the ticket cache ($KRB5CCNAME), e.g. "alice@CAIRN.TEST";
// kPermissionDenied "no Kerberos ticket (run kinit)" without one.
Result<std::string> TicketCachePrincipal();

// A daemon's own Kerberos login (kinit -kt): gets a ticket-granting ticket for `principal`
// from `keytab` into the credential cache `ccache` (e.g. "MEMORY:jobmaster"), which
// becomes this process's default ($KRB5CCNAME), so GSSAPI initiators use it. Returns the
// ticket's lifetime in milliseconds; call it again before that has passed.
Result<int64_t> KinitFromKeytab(const std::string& principal, const std::string& keytab, const std::string& ccache);

// A service principal as a daemon's flag gives it ("nn/_HOST@REALM"), made whole: _HOST
// becomes this machine's host name, and a missing realm krb5.conf's default one.
Result<std::string> ResolveServicePrincipal(std::string principal);

// RFC 4752 security layers: 0x01 means none. The acceptor's offer is [layers, maxbuf(3)];
// the initiator's choice is [layer, maxbuf(3)] followed by an optional authorization id.
inline constexpr unsigned char kSaslNoSecurityLayer = 0x01;
std::string NoSecurityLayerOffer();
// The initiator's answer to an offer: "no layer" when offered, else an error.
Result<std::string> ChooseNoSecurityLayer(std::string_view offer);
// Checks the initiator's choice is "no layer".
Status CheckNoSecurityLayerChosen(std::string_view choice);

}  // namespace cairn
