#include "datanode/nn/namenode_client.h"

#include <grpcpp/grpcpp.h>

#include "cairn/datanode_protocol.grpc.pb.h"
#include "common/cancellable_calls.h"

namespace cairn::datanode {

namespace {

class GrpcNamenodeClient final : public NamenodeClient {
 public:
  GrpcNamenodeClient(const std::string& address, int timeout_ms, std::shared_ptr<grpc::ChannelCredentials> credentials)
      : calls_("datanode", timeout_ms),
        stub_(DatanodeProtocol::NewStub(MakeServiceChannel(address, std::move(credentials)))) {}

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
    return Call<IncrementalBlockReportResponse>(&DatanodeProtocol::Stub::BlockReceivedAndDeleted, request)
        .status();
  }
  Status ReportBadBlocks(const ReportBadBlocksRequest& request) override {
    return Call<ReportBadBlocksResponse>(&DatanodeProtocol::Stub::ReportBadBlocks, request).status();
  }

  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& request) override {
    return Call<CommitBlockSynchronizationResponse>(&DatanodeProtocol::Stub::CommitBlockSynchronization,
                                                    request)
        .status();
  }

  void Shutdown() override { calls_.Shutdown(); }

 private:
  template <typename Resp, typename Req, typename Method>
  Result<Resp> Call(Method method, const Req& request) {
    return calls_.Call<Resp>(stub_.get(), method, request);
  }

  CancellableCalls calls_;
  std::unique_ptr<DatanodeProtocol::Stub> stub_;
};

}  // namespace

std::unique_ptr<NamenodeClient> MakeGrpcNamenodeClient(const std::string& address, int timeout_ms,
                                                       std::shared_ptr<grpc::ChannelCredentials> credentials) {
  return std::make_unique<GrpcNamenodeClient>(address, timeout_ms, std::move(credentials));
}

}  // namespace cairn::datanode
