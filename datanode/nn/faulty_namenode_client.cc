#include "datanode/nn/faulty_namenode_client.h"

#include <chrono>
#include <iterator>
#include <thread>

namespace cairn::datanode {
namespace {

constexpr std::string_view kCallNames[] = {"register",          "heartbeat",        "block_report", "block_received",
                                           "report_bad_blocks", "commit_block_sync"};
static_assert(std::size(kCallNames) == static_cast<size_t>(NamenodeCall::kCount));

// The mask of CALL ("*": every call); 0 when the name is unknown.
unsigned CallMask(std::string_view name) {
  if (name == "*") return (1u << static_cast<int>(NamenodeCall::kCount)) - 1;
  for (size_t i = 0; i < std::size(kCallNames); ++i) {
    if (kCallNames[i] == name) return 1u << i;
  }
  return 0;
}

class FaultInjectingNamenodeClient final : public NamenodeClient {
 public:
  FaultInjectingNamenodeClient(std::unique_ptr<NamenodeClient> inner, const std::string& plan_file)
      : inner_(std::move(inner)), faults_(plan_file) {}

  Result<RegisterDatanodeResponse> Register(const RegisterDatanodeRequest& request) override {
    return Invoke(NamenodeCall::kRegister, [&] { return inner_->Register(request); });
  }
  Result<HeartbeatResponse> Heartbeat(const HeartbeatRequest& request) override {
    return Invoke(NamenodeCall::kHeartbeat, [&] { return inner_->Heartbeat(request); });
  }
  Status BlockReport(const BlockReportRequest& request) override {
    return Invoke(NamenodeCall::kBlockReport, [&] { return inner_->BlockReport(request); });
  }
  Status BlockReceivedAndDeleted(const IncrementalBlockReportRequest& request) override {
    return Invoke(NamenodeCall::kBlockReceived, [&] { return inner_->BlockReceivedAndDeleted(request); });
  }
  Status ReportBadBlocks(const ReportBadBlocksRequest& request) override {
    return Invoke(NamenodeCall::kReportBadBlocks, [&] { return inner_->ReportBadBlocks(request); });
  }
  Status CommitBlockSynchronization(const CommitBlockSynchronizationRequest& request) override {
    return Invoke(NamenodeCall::kCommitBlockSync, [&] { return inner_->CommitBlockSynchronization(request); });
  }
  void Shutdown() override { inner_->Shutdown(); }

 private:
  template <typename Call>
  auto Invoke(NamenodeCall which, Call&& call) -> decltype(call()) {
    const NamenodeRpcFaultPlan plan = faults_.Current();
    const std::string_view name = kCallNames[static_cast<int>(which)];
    if (plan.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(plan.delay_ms));
    if (NamenodeRpcFaultPlan::Hits(plan.drop_request, which))
      return Unavailable("injected by rpc fault plan {}: the {} call was dropped before it was sent", faults_.path(),
                         name);
    auto reply = call();
    if (NamenodeRpcFaultPlan::Hits(plan.duplicate, which)) reply = call();
    if (NamenodeRpcFaultPlan::Hits(plan.drop_reply, which))
      return Unavailable("injected by rpc fault plan {}: the reply to the {} call was lost", faults_.path(), name);
    return reply;
  }

  const std::unique_ptr<NamenodeClient> inner_;
  const NamenodeRpcFaults faults_;
};

}  // namespace

NamenodeRpcFaultPlan NamenodeRpcFaultPlan::Parse(std::string_view text, std::string* ignored) {
  NamenodeRpcFaultPlan plan;
  for (const std::vector<std::string>& words : PlanLineWords(text)) {
    const unsigned mask = words.size() == 2 ? CallMask(words[1]) : 0;
    if (mask != 0 && words[0] == "drop_request") {
      plan.drop_request |= mask;
    } else if (mask != 0 && words[0] == "drop_reply") {
      plan.drop_reply |= mask;
    } else if (mask != 0 && words[0] == "duplicate") {
      plan.duplicate |= mask;
    } else if (!(words.size() == 2 && words[0] == "delay_ms" && ParsePlanMillis(words[1], &plan.delay_ms))) {
      NoteIgnoredPlanLine(words, ignored);
    }
  }
  return plan;
}

std::unique_ptr<NamenodeClient> MakeFaultInjectingNamenodeClient(std::unique_ptr<NamenodeClient> inner,
                                                                 const std::string& plan_file) {
  return std::make_unique<FaultInjectingNamenodeClient>(std::move(inner), plan_file);
}

}  // namespace cairn::datanode
