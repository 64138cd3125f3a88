#include "common/grpc_status.h"

#include "common/error_codes.h"

namespace cairn {

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const ErrorCodeInfo& info = InfoFor(status.code());
  return grpc::Status(static_cast<grpc::StatusCode>(info.grpc_code), status.message(), std::string(info.name));
}

Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return Status::OK();
  if (!status.error_details().empty())
    return Status(ErrorCodeFromName(status.error_details()), status.error_message());
  // Not from a Cairn server: transport-level failures.
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE: return Unavailable("{}", status.error_message());
    case grpc::StatusCode::DEADLINE_EXCEEDED: return TimedOut("{}", status.error_message());
    case grpc::StatusCode::UNIMPLEMENTED: return Unimplemented("{}", status.error_message());
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return ResourceExhausted("{}", status.error_message());
    case grpc::StatusCode::CANCELLED: return Aborted("{}", status.error_message());
    default: return Internal("grpc code {}: {}", static_cast<int>(status.error_code()), status.error_message());
  }
}

std::string PeerHost(std::string_view peer) {
  for (std::string_view scheme : {"ipv4:", "ipv6:"}) {
    if (peer.substr(0, scheme.size()) == scheme) {
      peer.remove_prefix(scheme.size());
      break;
    }
  }
  // "%5B::1%5D:port" is how some gRPC versions escape the brackets.
  std::string text(peer);
  for (auto [from, to] : {std::pair{"%5B", "["}, std::pair{"%5D", "]"}}) {
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, 3, to);
  }
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    return close == std::string::npos ? "" : text.substr(1, close - 1);
  }
  size_t colon = text.rfind(':');
  return colon == std::string::npos ? text : text.substr(0, colon);
}

}  // namespace cairn
