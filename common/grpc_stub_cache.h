// GrpcStubCache: one gRPC stub (and its channel) per peer address, made on first use and
// kept until Forget, for a service called on many peers (the job master's ML fan-out to
// executors, an executor's ML proxy to its workers). Channels carry messages up to
// max_message_bytes either way and use the given credentials (null: plaintext).
//
// Thread-safety: thread-safe; mu_ is not held across calls on the stubs.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

namespace cairn {

template <typename Service>
class GrpcStubCache {
 public:
  using Stub = typename Service::Stub;

  explicit GrpcStubCache(int max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Call before the first For().
  void SetCredentials(std::shared_ptr<grpc::ChannelCredentials> credentials) { credentials_ = std::move(credentials); }

  std::shared_ptr<Stub> For(const std::string& address) {
    std::lock_guard lock(mu_);
    auto& stub = stubs_[address];
    if (!stub) {
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(max_message_bytes_);
      args.SetMaxSendMessageSize(max_message_bytes_);
      stub = Service::NewStub(
          grpc::CreateCustomChannel(address, credentials_ ? credentials_ : grpc::InsecureChannelCredentials(), args));
    }
    return stub;
  }

  // The next For() makes a new channel (the peer went away).
  void Forget(const std::string& address) {
    std::lock_guard lock(mu_);
    stubs_.erase(address);
  }

 private:
  const int max_message_bytes_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Stub>> stubs_;  // guarded by mu_
};

}  // namespace cairn
