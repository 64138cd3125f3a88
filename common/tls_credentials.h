// gRPC credentials from SecuritySettings: TLS with the daemon's certificate when the
// --tls_* files are set, plaintext otherwise (simple mode without them).
//
// Servers present their certificate and verify a client's certificate against the
// cluster CA when the client offers one (REQUEST_AND_VERIFY: user-facing clients have
// none, daemons do), or insist on one (RequireDaemons: services only daemons call).
// PeerDaemon then says which daemon a call comes from: the verified certificate's common
// name split into role and host ("datanode", "dn3"), or nothing for a plain client. A
// handler that serves only daemons refuses calls without the right role.
//
// Thread-safety: pure functions; the files are read on every call (at start-up).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/security_settings.h"
#include "common/status.h"

namespace cairn {

enum class ClientCertificates { kOptional, kRequired };

Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const SecuritySettings& security,
                                                                       ClientCertificates clients);
// For daemons calling daemons: their own certificate, trusting the cluster CA.
Result<std::shared_ptr<grpc::ChannelCredentials>> MakeDaemonChannelCredentials(const SecuritySettings& security);

// For user-facing clients: TLS trusting the cluster CA in ca_file, no certificate of
// their own (users authenticate otherwise); empty ca_file: plaintext.
Result<std::shared_ptr<grpc::ChannelCredentials>> MakeClientChannelCredentials(const std::string& ca_file);

struct DaemonIdentity {
  std::string role;  // "datanode", "namenode", ...
  std::string host;
};
// The daemon a call comes from, by its verified certificate; nullopt without one.
std::optional<DaemonIdentity> PeerDaemon(const grpc::ServerContextBase& context);

// OK when the call comes from a daemon of this role, or when TLS is off (simple mode
// without certificates: nothing to check); UNAUTHENTICATED-style kPermissionDenied else.
Status RequirePeerRole(const SecuritySettings& security, const grpc::ServerContextBase& context, const std::string& role);

}  // namespace cairn
