// Carrying a cairn::Status over gRPC. The gRPC code comes from the error table
// (error_codes.h); the exact ErrorCode name rides in the status's error_details so the
// receiving side gets back precisely the Status that was sent. Also holds the metadata key
// that carries the caller's user name (SIMPLE authentication, as in Hadoop).
#pragma once

#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "common/status.h"

namespace cairn {

inline constexpr const char* kUserMetadataKey = "x-cairn-user";
// Kerberos mode: what proves who the caller is on the namenode's gRPC door (binary
// metadata): the token its login got (AuthnTokenProto), or a delegation token (TokenProto).
inline constexpr const char* kAuthnTokenMetadataKey = "x-cairn-authn-bin";
inline constexpr const char* kDelegationTokenMetadataKey = "x-cairn-delegation-bin";
// In the message of a refusal the client cures by logging in again (its authentication
// token expired, or the namenode restarted and forgot its keys).
inline constexpr std::string_view kLoginAgainMarker = "(log in again)";

grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

// The IP of a gRPC peer (ServerContext::peer()): "ipv4:10.0.0.1:5000" -> "10.0.0.1",
// "ipv6:[::1]:5000" -> "::1"; "" when unparseable.
std::string PeerHost(std::string_view peer);

}  // namespace cairn
