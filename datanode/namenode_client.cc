#include "datanode/namenode_client.h"

#include <grpcpp/grpcpp.h>

#include <mutex>
#include <unordered_set>

#include "cairn/datanode_protocol.grpc.pb.h"
#include "common/grpc_status.h"

namespace cairn::datanode {

namespace {

class GrpcNamenodeClient final : public NamenodeClient {
 public:
  GrpcNamenodeClient(const std::string& address, int timeout_ms) : timeout_ms_(timeout_ms) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    stub_ = DatanodeProtocol::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }

  Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest& request) override {
    return Call<RegisterDatanodeResponse>(&DatanodeProtocol::Stub::RegisterDatanode, request);
  }
  Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest& request) override {
    return Call<HeartbeatResponse>(&DatanodeProtocol::Stub::Heartbeat, request);
  }
  Status BlockReport(const BlockReportRequest& request) override {
    return Call<BlockReportResponse>(&DatanodeProtocol::Stub::BlockReport, request).status();
  }
  Status BlockReceivedAndDeleted(const IncrementalBlockReportRequest& request) override {
    return Call<IncrementalBlockReportResponse>(&DatanodeProtocol::Stub::BlockReceivedAndDeleted, request).status();
  }
  Status ReportBadBlocks(const ReportBadBlocksRequest& request) override {
    return Call<ReportBadBlocksResponse>(&DatanodeProtocol::Stub::ReportBadBlocks, request).status();
  }

  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& request) override {
    return Call<CommitBlockSynchronizationResponse>(&DatanodeProtocol::Stub::CommitBlockSynchronization, request)
        .status();
  }

  void Shutdown() override {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    for (grpc::ClientContext* ctx : active_) ctx->TryCancel();
  }

 private:
  template <typename Resp, typename Req, typename Method>
  Result<Resp> Call(Method method, const Req& request) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms_));
    {
      std::lock_guard lock(mu_);
      if (shutdown_) return Unavailable("datanode is shutting down");
      active_.insert(&ctx);
    }
    Resp response;
    grpc::Status st = (stub_.get()->*method)(&ctx, request, &response);
    {
      std::lock_guard lock(mu_);
      active_.erase(&ctx);
    }
    if (!st.ok()) return FromGrpcStatus(st);
    return response;
  }

  const int timeout_ms_;
  std::mutex mu_;
  std::unordered_set<grpc::ClientContext*> active_;  // guarded by mu_: calls in flight
  bool shutdown_ = false;                            // guarded by mu_
  std::unique_ptr<DatanodeProtocol::Stub> stub_;
};

}  // namespace

std::unique_ptr<NamenodeClient> MakeGrpcNamenodeClient(const std::string& address, int timeout_ms) {
  return std::make_unique<GrpcNamenodeClient>(address, timeout_ms);
}

}  // namespace cairn::datanode
