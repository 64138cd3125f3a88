// InProcessGrpcServer: one gRPC service of a test's own, served on 127.0.0.1 with a free
// port, for fakes that stand in for a Cairn daemon (tests/client/fake_namenode.h,
// tests/datanode/key_serving_namenode.h).
//
// Thread-safety: Start and Stop from the test's thread.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace cairn::testing {

class InProcessGrpcServer {
 public:
  ~InProcessGrpcServer() { Stop(); }
  void Start(grpc::Service* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
  }
  void Stop() {
    if (server_) server_->Shutdown();
    server_.reset();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace cairn::testing
