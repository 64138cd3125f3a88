// DatanodeService: the namenode side of cairn.DatanodeProtocol (registration, heartbeats
// with commands back, full and incremental block reports, bad-block reports). Calls run on
// their own bounded pool so a large block report never holds up client calls; the work
// itself is done by the DatanodeManager and BlockManager.
//
// With TLS (--tls_* files; required in kerberos mode) every call must come from a datanode:
// a client certificate from the cluster CA whose common name is datanode/HOST.
//
// CommitBlockSynchronization ends a block (lease) recovery a datanode led (see
// namenode/ops/lease_recovery.h).
//
// Thread-safety: gRPC invokes the methods on its threads; handlers run on `pool`, which
// must outlive the server's shutdown.
#pragma once

#include "cairn/datanode_protocol.grpc.pb.h"
#include "common/thread_pool.h"
#include "namenode/rpc/drain_gate.h"
#include "namenode/name_system.h"

namespace cairn::namenode {

class DatanodeService : public DatanodeProtocol::CallbackService {
 public:
  DatanodeService(NameSystem& nn, ThreadPool& pool, DrainGate& gate) : nn_(nn), pool_(pool), gate_(gate) {}

  grpc::ServerUnaryReactor* RegisterDatanode(grpc::CallbackServerContext* ctx, const RegisterDatanodeRequest* req,
                                             RegisterDatanodeResponse* resp) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* ctx, const HeartbeatRequest* req,
                                      HeartbeatResponse* resp) override;
  grpc::ServerUnaryReactor* BlockReport(grpc::CallbackServerContext* ctx, const BlockReportRequest* req,
                                        BlockReportResponse* resp) override;
  grpc::ServerUnaryReactor* BlockReceivedAndDeleted(grpc::CallbackServerContext* ctx,
                                                    const IncrementalBlockReportRequest* req,
                                                    IncrementalBlockReportResponse* resp) override;
  grpc::ServerUnaryReactor* ReportBadBlocks(grpc::CallbackServerContext* ctx, const ReportBadBlocksRequest* req,
                                            ReportBadBlocksResponse* resp) override;
  grpc::ServerUnaryReactor* CommitBlockSynchronization(grpc::CallbackServerContext* ctx,
                                                       const CommitBlockSynchronizationRequest* req,
                                                       CommitBlockSynchronizationResponse* resp) override;

  // The handlers themselves, callable without gRPC (tests).
  Status DoRegister(const RegisterDatanodeRequest& req, const std::string& peer_ip, RegisterDatanodeResponse* resp);
  // `peer_ip`: the caller's address; calls as a datanode must come from where it
  // registered ("" skips the check: in-process tests).
  Status DoHeartbeat(const HeartbeatRequest& req, const std::string& peer_ip, HeartbeatResponse* resp);
  Status DoBlockReport(const BlockReportRequest& req, const std::string& peer_ip);
  Status DoIncrementalReport(const IncrementalBlockReportRequest& req, const std::string& peer_ip);
  Status DoReportBadBlocks(const ReportBadBlocksRequest& req, const std::string& peer_ip);
  Status DoCommitBlockSynchronization(const CommitBlockSynchronizationRequest& req, const std::string& peer_ip);

 private:
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, std::function<Status()> fn);

  NameSystem& nn_;
  ThreadPool& pool_;
  DrainGate& gate_;
};

}  // namespace cairn::namenode
