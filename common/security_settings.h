// SecuritySettings: the security mode every Cairn daemon shares (--security, the same on
// all of them) and the rule that keeps a `simple` daemon off the network. In `simple` mode
// callers are trusted to say who they are, so such a daemon listens only on loopback
// addresses unless --allow_insecure_network says the network around it is trusted (and a
// warning says so in its log). `kerberos` mode authenticates callers (see
// namenode/ipc/sasl_gssapi_server.h) and may listen anywhere.
//
// TLS (--tls_ca_file, --tls_cert_file, --tls_key_file; all or none, required in kerberos
// mode): the daemon's certificate from the cluster CA (common/cluster_ca.h) and the CA it
// trusts. Daemons then speak TLS on every gRPC connection between them and prove which
// daemon they are with those certificates (common/tls_credentials.h).
//
// Thread-safety: a value; copy it.
#pragma once

#include <string>
#include <string_view>

#include "common/flags.h"
#include "common/status.h"

namespace cairn {

enum class SecurityMode { kSimple, kKerberos };
Result<SecurityMode> ParseSecurityMode(std::string_view text);

struct SecuritySettings {
  std::string mode = "simple";          // simple | kerberos
  bool allow_insecure_network = false;  // simple mode: allow non-loopback listen addresses
  std::string tls_ca_file;              // PEM: the cluster CA's certificate
  std::string tls_cert_file;            // PEM: this daemon's certificate (ROLE/HOST)
  std::string tls_key_file;             // PEM: its private key

  SecurityMode Mode() const;  // call after Validate
  bool kerberos() const { return Mode() == SecurityMode::kKerberos; }
  bool tls() const { return !tls_ca_file.empty(); }
  Status Validate() const;
};

// --security, --allow_insecure_network and the --tls_* files.
void AddSecurityFlags(FlagSet& flags, SecuritySettings* settings);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

// OK when `daemon` may listen on `host` in this mode; kPermissionDenied saying what to do
// otherwise. Logs a warning when --allow_insecure_network lets a simple daemon off loopback.
Status CheckListenAddress(const SecuritySettings& security, std::string_view host, std::string_view daemon);

}  // namespace cairn
