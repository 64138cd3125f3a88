// Carrying a cairn::Status over gRPC. The gRPC code comes from the error table
// (error_codes.h); the exact ErrorCode name rides in the status's error_details so the
// receiving side gets back precisely the Status that was sent. Also holds the metadata key
// that carries the caller's user name (SIMPLE authentication, as in Hadoop).
#pragma once

#include <grpcpp/grpcpp.h>

#include "common/status.h"

namespace cairn {

inline constexpr const char* kUserMetadataKey = "x-cairn-user";

grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

}  // namespace cairn
