// NamenodeClient: the datanode's calls to the namenode (service cairn.DatanodeProtocol).
// The gRPC implementation is what the process uses; tests substitute a fake. Every call
// has a deadline; errors come back as Status (kUnavailable / kTimedOut when the namenode
// cannot be reached, which callers retry).
//
// Thread-safety: implementations may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "cairn/datanode_protocol.pb.h"
#include "common/status.h"

namespace cairn::datanode {

class NamenodeClient {
 public:
  virtual ~NamenodeClient() = default;
  virtual Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest& request) = 0;
  virtual Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest& request) = 0;
  virtual Status BlockReport(const BlockReportRequest& request) = 0;
  virtual Status BlockReceivedAndDeleted(const IncrementalBlockReportRequest& request) = 0;
  virtual Status ReportBadBlocks(const ReportBadBlocksRequest& request) = 0;
  virtual Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& request) = 0;
  // Cancels calls in flight and fails later ones at once (process shutdown).
  virtual void Shutdown() {}
};

// A client of the namenode at host:port over a gRPC channel (TLS with the datanode's
// certificate when credentials say so; null: plaintext) that reconnects quickly (at most
// ~1 s between attempts) when the namenode comes back.
std::unique_ptr<NamenodeClient> MakeGrpcNamenodeClient(const std::string& address, int timeout_ms,
                                                       std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace cairn::datanode
