#include "namenode/rpc/rpc_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include "common/delegation_token.h"
#include "common/socket.h"
#include "common/tls_credentials.h"
#include "namenode/delegation_token_manager.h"

namespace cairn::namenode {

namespace {
std::unique_ptr<GrpcLogin> MakeLogin(const NameSystem& nn) {
  if (!nn.settings.security.kerberos()) return nullptr;
  GrpcLoginSettings s;
  s.principal = nn.settings.kerberos_principal;
  s.keytab = nn.settings.keytab;
  s.auth_to_local = nn.auth_to_local;
  const DelegationTokenManager* tokens = &nn.delegation_tokens;
  s.verify_delegation_token = [tokens](const hadoop::common::TokenProto& token,
                                       int64_t now_ms) -> Result<std::string> {
    ASSIGN_OR_RETURN(DelegationTokenIdentifier id, tokens->Verify(token, now_ms));
    return id.owner;
  };
  s.token_lifetime_ms = nn.settings.authn_token_lifetime_ms;
  s.no_credentials_message =
      "the namenode runs with --security=kerberos: its gRPC door needs a Kerberos login (cairn logs in when "
      "CAIRN_NAMENODE_PRINCIPAL names the namenode's principal and you hold a ticket) or a delegation token "
      "(HADOOP_TOKEN_FILE_LOCATION)";
  return std::make_unique<GrpcLogin>(std::move(s));
}
}  // namespace

RpcServer::RpcServer(NameSystem& nn, const MethodTable& methods, UserGroupResolver& groups)
    : login_(MakeLogin(nn)),
      client_pool_("nn-handler", nn.settings.handler_threads, static_cast<size_t>(nn.settings.handler_queue_size)),
      datanode_pool_("nn-dnhandler", nn.settings.datanode_handler_threads, 1024),
      client_service_(methods, groups, client_pool_, gate_, login_.get(), nn.proxy_users),
      datanode_service_(nn, datanode_pool_, gate_),
      security_(nn.settings.security) {}

RpcServer::~RpcServer() { Stop(); }

Status RpcServer::Start(const std::string& host, int port) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  std::string address = HostPort{host, port}.ToString();
  // Clients need no certificate (users authenticate otherwise); datanodes present theirs.
  ASSIGN_OR_RETURN(auto credentials, MakeServerCredentials(security_, ClientCertificates::kOptional));
  builder.AddListeningPort(address, credentials, &port_);
  builder.RegisterService(&datanode_service_);
  builder.RegisterCallbackGenericService(&client_service_);
  builder.SetMaxReceiveMessageSize(256 << 20);  // full block reports of big nodes
  builder.SetMaxSendMessageSize(256 << 20);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) return Unavailable("cannot listen on {} for the gRPC front door", address);
  spdlog::info("gRPC front door listening on {}:{}{}", host, port_, security_.tls() ? " (TLS)" : "");
  return Status::OK();
}

void RpcServer::Stop() {
  if (server_) {
    // Let accepted calls finish (complete() may wait for replicas), refusing new ones, then
    // close every connection at once; anything still running after the grace is cancelled
    // and its handler finishes on the pool.
    if (!gate_.Drain(std::chrono::seconds(10))) spdlog::warn("calls still running after 10 s; cancelling them");
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    server_.reset();
  }
  client_pool_.Shutdown();
  datanode_pool_.Shutdown();
}

}  // namespace cairn::namenode
