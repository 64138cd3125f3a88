#include "datanode/recovery/inter_datanode_server.h"

#include <spdlog/spdlog.h>

#include "common/cluster_ca.h"
#include "common/grpc_status.h"
#include "common/socket.h"
#include "common/tls_credentials.h"
#include "datanode/recovery/inter_datanode.h"

namespace cairn::datanode {

Status InterDatanodeServer::Start(const std::string& host, int port) {
  ASSIGN_OR_RETURN(auto credentials, MakeServerCredentials(security_, ClientCertificates::kRequired));
  grpc::ServerBuilder builder;
  const std::string address = HostPort{host, port}.ToString();
  builder.AddListeningPort(address, credentials, &port_);
  builder.RegisterService(this);
  grpc::ResourceQuota quota("inter-datanode");
  quota.SetMaxThreads(8);  // recoveries are rare; a flood of them must not take the node's threads
  builder.SetResourceQuota(quota);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) return Unavailable("cannot listen on {} for inter-datanode calls", address);
  spdlog::info("inter-datanode calls on {}:{}{}", host, port_, security_.tls() ? " (mutual TLS)" : "");
  return Status::OK();
}

void InterDatanodeServer::Stop() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_.reset();
  }
}

grpc::Status InterDatanodeServer::Call(grpc::ServerContext* ctx, const InterDatanodeRequest* req,
                                       InterDatanodeResponse* resp) {
  if (Status who = RequirePeerRole(security_, *ctx, kDatanodeRole); !who.ok()) return ToGrpcStatus(who);
  *resp = HandleInterDatanode(store_, *req, block_keys_);
  return grpc::Status::OK;
}

}  // namespace cairn::datanode
