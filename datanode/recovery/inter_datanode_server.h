// InterDatanodeServer: the datanode's gRPC port for the calls of lease recovery between
// datanodes (proto/cairn/inter_datanode.proto), advertised to the namenode as the node's
// ipcPort. With TLS (the --tls_* files; always in kerberos mode) it requires a client
// certificate from the cluster CA and serves only datanodes (common/tls_credentials.h);
// every request must also carry the REPLACE block token the recovery's primary signed
// (HandleInterDatanode), so even a datanode can only recover blocks it was told to.
//
// Thread-safety: Start/Stop from the owner; gRPC serves calls on its own threads.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "cairn/inter_datanode.grpc.pb.h"
#include "common/block_token.h"
#include "common/security_settings.h"
#include "common/status.h"
#include "datanode/store/block_store.h"

namespace cairn::datanode {

class InterDatanodeServer final : public InterDatanode::Service {
 public:
  // block_keys may be null (no token checks: tests without a namenode).
  InterDatanodeServer(BlockStore& store, const BlockKeyRing* block_keys, SecuritySettings security)
      : store_(store), block_keys_(block_keys), security_(std::move(security)) {}
  ~InterDatanodeServer() override { Stop(); }

  // Listens on host:port (0 picks a free port).
  Status Start(const std::string& host, int port);
  void Stop();
  int port() const { return port_; }

  grpc::Status Call(grpc::ServerContext* ctx, const InterDatanodeRequest* req, InterDatanodeResponse* resp) override;

 private:
  BlockStore& store_;
  const BlockKeyRing* block_keys_;
  const SecuritySettings security_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace cairn::datanode
