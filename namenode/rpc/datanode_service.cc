#include "namenode/rpc/datanode_service.h"

#include "common/cluster_ca.h"
#include "common/grpc_status.h"
#include "common/tls_credentials.h"
#include "namenode/ops/lease_recovery.h"
#include "namenode/rpc/grpc_client_service.h"

namespace cairn::namenode {

grpc::ServerUnaryReactor* DatanodeService::Run(grpc::CallbackServerContext* ctx, std::function<Status()> fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // With TLS, only datanodes (by their certificate from the cluster CA) speak this protocol.
  if (Status who = RequirePeerRole(nn_.settings.security, *ctx, kDatanodeRole); !who.ok()) {
    reactor->Finish(ToGrpcStatus(who));
    return reactor;
  }
  if (!gate_.Enter()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "namenode is shutting down"));
    return reactor;
  }
  bool queued = pool_.Submit([this, reactor, fn = std::move(fn)] {
    reactor->Finish(ToGrpcStatus(fn()));
    gate_.Leave();
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "namenode is shutting down"));
    gate_.Leave();
  }
  return reactor;
}


Status DatanodeService::DoRegister(const RegisterDatanodeRequest& req, const std::string& peer_ip,
                                   RegisterDatanodeResponse* resp) {
  ASSIGN_OR_RETURN(DatanodeManager::Registration reg, nn_.datanodes.Register(req, peer_ip));
  if (reg.replaced) nn_.blocks.NodeDied(*reg.replaced);
  nn_.blocks.NodeRegistered(reg.index);
  nn_.blocks.SetDecommissioning(reg.index, reg.admin != AdminState::kNormal);
  resp->set_cluster_id(nn_.ns.cluster_id());
  resp->set_block_pool_id(nn_.ns.block_pool_id());
  resp->set_rack(reg.rack);
  resp->set_heartbeat_interval_ms(static_cast<uint32_t>(nn_.settings.heartbeat_interval_ms));
  *resp->mutable_block_keys() = nn_.block_keys.Export();
  return Status::OK();
}

Status DatanodeService::DoHeartbeat(const HeartbeatRequest& req, const std::string& peer_ip, HeartbeatResponse* resp) {
  // A stranger's heartbeat must not fetch the block keys (or the node's commands).
  // (An unknown node is told to register again, below.)
  Status caller = nn_.datanodes.CheckCaller(req.datanode_uuid(), peer_ip).status();
  if (caller.code() == ErrorCode::kPermissionDenied) return caller;
  nn_.datanodes.Heartbeat(req, resp);
  // Keys go out only when they changed since the node's last copy (HDFS's KeyUpdateCommand).
  if (!resp->reregister() && req.block_keys_version() != nn_.block_keys.version())
    *resp->mutable_block_keys() = nn_.block_keys.Export();
  return Status::OK();
}

Status DatanodeService::DoBlockReport(const BlockReportRequest& req, const std::string& peer_ip) {
  ASSIGN_OR_RETURN(uint32_t index, nn_.datanodes.CheckCaller(req.datanode_uuid(), peer_ip));
  nn_.blocks.ProcessFullReport(index, req);
  return Status::OK();
}

Status DatanodeService::DoIncrementalReport(const IncrementalBlockReportRequest& req, const std::string& peer_ip) {
  ASSIGN_OR_RETURN(uint32_t index, nn_.datanodes.CheckCaller(req.datanode_uuid(), peer_ip));
  nn_.blocks.ProcessIncrementalReport(index, req);
  return Status::OK();
}

Status DatanodeService::DoCommitBlockSynchronization(const CommitBlockSynchronizationRequest& req,
                                                     const std::string& peer_ip) {
  if (!peer_ip.empty() && !nn_.datanodes.IsRegisteredPeer(peer_ip))
    return PermissionDenied("commitBlockSynchronization from {}, where no live datanode registered", peer_ip);
  return ::cairn::namenode::CommitBlockSynchronization(nn_, req);
}

Status DatanodeService::DoReportBadBlocks(const ReportBadBlocksRequest& req, const std::string& peer_ip) {
  ASSIGN_OR_RETURN(uint32_t index, nn_.datanodes.CheckCaller(req.datanode_uuid(), peer_ip));
  for (const auto& b : req.blocks()) {
    nn_.blocks.MarkCorrupt(b.blockid(), index, req.reason().empty() ? "reported by its datanode" : req.reason());
  }
  return Status::OK();
}

grpc::ServerUnaryReactor* DatanodeService::RegisterDatanode(grpc::CallbackServerContext* ctx,
                                                            const RegisterDatanodeRequest* req,
                                                            RegisterDatanodeResponse* resp) {
  std::string peer = PeerHost(ctx->peer());
  return Run(ctx, [this, req, resp, peer] { return DoRegister(*req, peer, resp); });
}

grpc::ServerUnaryReactor* DatanodeService::Heartbeat(grpc::CallbackServerContext* ctx, const HeartbeatRequest* req,
                                                     HeartbeatResponse* resp) {
  return Run(ctx, [this, req, resp, peer = PeerHost(ctx->peer())] { return DoHeartbeat(*req, peer, resp); });
}

grpc::ServerUnaryReactor* DatanodeService::BlockReport(grpc::CallbackServerContext* ctx,
                                                       const BlockReportRequest* req, BlockReportResponse* resp) {
  return Run(ctx, [this, req, peer = PeerHost(ctx->peer())] { return DoBlockReport(*req, peer); });
}

grpc::ServerUnaryReactor* DatanodeService::BlockReceivedAndDeleted(grpc::CallbackServerContext* ctx,
                                                                   const IncrementalBlockReportRequest* req,
                                                                   IncrementalBlockReportResponse* resp) {
  return Run(ctx, [this, req, peer = PeerHost(ctx->peer())] { return DoIncrementalReport(*req, peer); });
}

grpc::ServerUnaryReactor* DatanodeService::ReportBadBlocks(grpc::CallbackServerContext* ctx,
                                                           const ReportBadBlocksRequest* req,
                                                           ReportBadBlocksResponse* resp) {
  return Run(ctx, [this, req, peer = PeerHost(ctx->peer())] { return DoReportBadBlocks(*req, peer); });
}

grpc::ServerUnaryReactor* DatanodeService::CommitBlockSynchronization(grpc::CallbackServerContext* ctx,
                                                                      const CommitBlockSynchronizationRequest* req,
                                                                      CommitBlockSynchronizationResponse* resp) {
  return Run(ctx, [this, req, peer = PeerHost(ctx->peer())] { return DoCommitBlockSynchronization(*req, peer); });
}

}  // namespace cairn::namenode
