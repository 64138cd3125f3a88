// RpcServer: the namenode's gRPC server on one port, hosting the client front door
// (GrpcClientService, generic over the MethodTable), the datanode protocol and gRPC's
// standard health service. It owns the two bounded handler pools. With the --tls_* files
// the port speaks TLS (common/tls_credentials.h).
//
// Thread-safety: Start and Stop from the owner thread.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/grpc_login.h"
#include "common/security_settings.h"
#include "common/status.h"
#include "common/thread_pool.h"
#include "namenode/name_system.h"
#include "namenode/rpc/datanode_service.h"
#include "namenode/rpc/grpc_client_service.h"

namespace cairn::namenode {

class RpcServer {
 public:
  RpcServer(NameSystem& nn, const MethodTable& methods, UserGroupResolver& groups);
  ~RpcServer();

  // Listens on host:port (0 picks a free port).
  Status Start(const std::string& host, int port);
  int port() const { return port_; }
  // Stops taking calls, lets running ones finish (bounded wait), joins the pools.
  void Stop();

 private:
  DrainGate gate_;
  std::unique_ptr<GrpcLogin> login_;  // kerberos mode only
  ThreadPool client_pool_;
  ThreadPool datanode_pool_;
  GrpcClientService client_service_;
  DatanodeService datanode_service_;
  const SecuritySettings security_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace cairn::namenode
