#include "common/cancellable_calls.h"

namespace cairn {

std::shared_ptr<grpc::Channel> MakeServiceChannel(const std::string& address,
                                                  std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return grpc::CreateCustomChannel(address, credentials ? credentials : grpc::InsecureChannelCredentials(), args);
}

void CancellableCalls::Shutdown() {
  std::lock_guard lock(mu_);
  shutdown_ = true;
  for (grpc::ClientContext* ctx : active_) ctx->TryCancel();
}

Status CancellableCalls::Begin(grpc::ClientContext* ctx) {
  std::lock_guard lock(mu_);
  if (shutdown_) return Unavailable("{} is shutting down", owner_);
  active_.insert(ctx);
  return Status::OK();
}

void CancellableCalls::End(grpc::ClientContext* ctx) {
  std::lock_guard lock(mu_);
  active_.erase(ctx);
}

}  // namespace cairn
