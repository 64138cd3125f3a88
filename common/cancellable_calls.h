// Unary gRPC calls to a long-lived peer service (the namenode for a datanode, the job
// master for an executor) that a shutdown can cut short. Each call gets a deadline; while
// it is in flight its ClientContext is registered so that Shutdown() cancels it at once,
// and every call after Shutdown() fails with kUnavailable without touching the network.
// MakeServiceChannel gives such peers a channel that reconnects quickly after a restart and
// carries messages of any size (block reports grow with the number of blocks).
//
// Thread-safety: Call and Shutdown may be called from any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "common/grpc_status.h"
#include "common/status.h"

namespace cairn {

// credentials null: plaintext (see common/tls_credentials.h for TLS).
std::shared_ptr<grpc::Channel> MakeServiceChannel(const std::string& address,
                                                  std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

class CancellableCalls {
 public:
  // owner names the caller in the error after Shutdown ("datanode is shutting down").
  CancellableCalls(std::string owner, int timeout_ms) : owner_(std::move(owner)), timeout_ms_(timeout_ms) {}

  // Calls stub->*method(context, request, &response) with the deadline.
  template <typename Resp, typename Stub, typename Method, typename Req>
  Result<Resp> Call(Stub* stub, Method method, const Req& request) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms_));
    RETURN_IF_ERROR(Begin(&ctx));
    Resp response;
    grpc::Status st = (stub->*method)(&ctx, request, &response);
    End(&ctx);
    if (!st.ok()) return FromGrpcStatus(st);
    return response;
  }

  // Cancels the calls in flight; later calls fail at once.
  void Shutdown();

 private:
  Status Begin(grpc::ClientContext* ctx);
  void End(grpc::ClientContext* ctx);

  const std::string owner_;
  const int timeout_ms_;
  std::mutex mu_;
  std::unordered_set<grpc::ClientContext*> active_;  // guarded by mu_: calls in flight
  bool shutdown_ = false;                            // guarded by mu_
};

}  // namespace cairn
