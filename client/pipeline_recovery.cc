#include "client/pipeline_recovery.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "client/proto_convert.h"
#include "common/data_transfer.h"

namespace cairn::client {

namespace {

constexpr int kReplacementAttempts = 3;  // candidates tried per recovery (as HDFS)

std::string Names(const std::vector<hh::DatanodeInfoProto>& nodes) {
  std::string out;
  for (const auto& n : nodes) out += (out.empty() ? "" : ", ") + NodeAddress(n);
  return out.empty() ? "none" : out;
}

bool Contains(const std::vector<hh::DatanodeInfoProto>& nodes, const hh::DatanodeInfoProto& node) {
  return std::any_of(nodes.begin(), nodes.end(),
                     [&](const hh::DatanodeInfoProto& n) { return n.id().datanodeuuid() == node.id().datanodeuuid(); });
}

// OP_TRANSFER_BLOCK: `source` copies its replica of `block` to `target`.
Status TransferReplica(const ClientContext& ctx, const hh::DatanodeInfoProto& source,
                       const hh::ExtendedBlockProto& block, const hadoop::common::TokenProto& token,
                       const hh::DatanodeInfoProto& target) {
  const std::string what = fmt::format("copying {} from {} to {}", BlockName(block), NodeAddress(source),
                                       NodeAddress(target));
  const int timeout = ctx.options.socket_timeout_ms;
  auto sock = ConnectTcp(source.id().ipaddr(), static_cast<int>(source.id().xferport()), timeout);
  if (!sock.ok()) return sock.status().WithContext(what);
  // The source answers once the target has the whole replica: give it time for both hops.
  RETURN_IF_ERROR(sock->SetTimeouts(timeout > 0 ? 2 * timeout : 0, timeout));
  hh::OpTransferBlockProto op;
  auto* header = op.mutable_header();
  *header->mutable_baseheader()->mutable_block() = block;
  *header->mutable_baseheader()->mutable_token() = token;
  header->set_clientname(ctx.client_name);
  *op.add_targets() = target;
  op.add_targetstoragetypes(hh::DISK);
  RETURN_IF_ERROR_CTX(SendOp(*sock, DataTransferOp::kTransferBlock, op), what);
  BufferedReader in(&*sock, 4096);
  hh::BlockOpResponseProto reply;
  RETURN_IF_ERROR_CTX(ReadBlockOpResponse(in, &reply), what);
  return BlockOpStatus(reply, what);
}

// Step 2: a replacement for the lost node, holding a copy of the partial replica. Leaves
// *nodes alone when no node is to be had.
Status AddDatanode(ClientContext& ctx, const WritingFile& file, const hh::ExtendedBlockProto& block,
                   std::vector<hh::DatanodeInfoProto>* nodes, std::vector<hh::DatanodeInfoProto>* failed) {
  Status last = NotFound("the namenode has no datanode to add");
  for (int attempt = 0; attempt < kReplacementAttempts && !nodes->empty(); ++attempt) {
    hh::GetAdditionalDatanodeRequestProto req;
    req.set_src(file.path);
    *req.mutable_blk() = block;
    for (const auto& n : *nodes) *req.add_existings() = n;
    for (const auto& n : *failed) *req.add_excludes() = n;
    req.set_numadditionalnodes(1);
    req.set_clientname(ctx.client_name);
    req.set_fileid(file.file_id);
    ASSIGN_OR_RETURN(hh::GetAdditionalDatanodeResponseProto resp, ctx.namenode->GetAdditionalDatanode(req));
    std::vector<hh::DatanodeInfoProto> proposed(resp.block().locs().begin(), resp.block().locs().end());
    auto added = std::find_if(proposed.begin(), proposed.end(),
                              [&](const hh::DatanodeInfoProto& n) { return !Contains(*nodes, n); });
    if (added == proposed.end()) return last;
    // The copy comes from the survivor just before the newcomer in the namenode's order.
    const size_t pos = static_cast<size_t>(added - proposed.begin());
    const hh::DatanodeInfoProto& source = pos > 0 ? proposed[pos - 1] : (*nodes)[0];
    last = TransferReplica(ctx, source, block, resp.block().blocktoken(), *added);
    if (last.ok()) {
      spdlog::info("{}: datanode {} replaces the failed one in the pipeline of {}", file.path, NodeAddress(*added),
                   BlockName(block));
      *nodes = std::move(proposed);
      return Status::OK();
    }
    spdlog::warn("{}: {}", file.path, last.ToString());
    failed->push_back(*added);
  }
  return last;
}

hh::OpWriteBlockProto::BlockConstructionStage StageFor(RecoveryRequest::Kind kind, bool first_attempt) {
  switch (kind) {
    case RecoveryRequest::Kind::kAppend:
      return first_attempt ? hh::OpWriteBlockProto::PIPELINE_SETUP_APPEND
                           : hh::OpWriteBlockProto::PIPELINE_SETUP_APPEND_RECOVERY;
    case RecoveryRequest::Kind::kClose: return hh::OpWriteBlockProto::PIPELINE_CLOSE_RECOVERY;
    case RecoveryRequest::Kind::kStreaming: break;
  }
  return hh::OpWriteBlockProto::PIPELINE_SETUP_STREAMING_RECOVERY;
}

}  // namespace

Result<ReplaceDatanodePolicy> ParseReplaceDatanodePolicy(std::string_view text) {
  if (text == "never") return ReplaceDatanodePolicy::kNever;
  if (text == "default") return ReplaceDatanodePolicy::kDefault;
  if (text == "always") return ReplaceDatanodePolicy::kAlways;
  return InvalidArgument("replace_datanode_on_failure must be never, default or always, not '{}'", text);
}

bool ShouldReplaceDatanode(ReplaceDatanodePolicy policy, uint32_t replication, size_t remaining,
                           bool hflushed_or_appended) {
  if (remaining == 0 || remaining >= replication) return false;
  switch (policy) {
    case ReplaceDatanodePolicy::kNever: return false;
    case ReplaceDatanodePolicy::kAlways: return true;
    case ReplaceDatanodePolicy::kDefault:
      return replication >= 3 && (remaining <= replication / 2 || hflushed_or_appended);
  }
  return false;
}

Result<OpenBlock> RecoverPipeline(ClientContext& ctx, const WritingFile& file, const RecoveryRequest& request,
                                  std::vector<hh::DatanodeInfoProto>* failed, PacketPool* pool) {
  ASSIGN_OR_RETURN(ReplaceDatanodePolicy policy, ParseReplaceDatanodePolicy(ctx.options.replace_datanode_on_failure));
  std::vector<hh::DatanodeInfoProto> nodes = request.nodes;
  if (request.bad_node >= 0 && static_cast<size_t>(request.bad_node) < nodes.size()) {
    failed->push_back(nodes[request.bad_node]);
    nodes.erase(nodes.begin() + request.bad_node);
  }
  hh::ExtendedBlockProto block = request.block;
  block.set_numbytes(request.bytes_acked);
  bool replaced = false;
  for (int attempt = 0;; ++attempt) {
    if (nodes.empty())
      return IoError("every datanode of the pipeline of {} failed (failed: {})", BlockName(block), Names(*failed));
    if (!replaced &&
        ShouldReplaceDatanode(policy, request.replication, nodes.size(), request.hflushed_or_appended)) {
      Status added = AddDatanode(ctx, file, block, &nodes, failed);
      replaced = added.ok();
      if (!added.ok()) {
        if (!ctx.options.replace_datanode_best_effort)
          return added.WithContext(fmt::format("finding a datanode to replace a failed one for {}", BlockName(block)));
        spdlog::warn("{}: no replacement datanode for {} ({}); going on with {} node(s)", file.path, BlockName(block),
                     added.ToString(), nodes.size());
      }
    }
    hh::UpdateBlockForPipelineRequestProto update;
    *update.mutable_block() = block;
    update.set_clientname(ctx.client_name);
    ASSIGN_OR_RETURN(hh::UpdateBlockForPipelineResponseProto updated, ctx.namenode->UpdateBlockForPipeline(update));
    const uint64_t new_gen_stamp = updated.block().b().generationstamp();

    PipelineSetup setup = PipelineSetupFor(ctx, block, updated.block().blocktoken(), nodes);
    setup.stage = StageFor(request.kind, attempt == 0);
    setup.latest_gen_stamp = new_gen_stamp;
    setup.min_bytes_rcvd = request.bytes_acked;
    setup.max_bytes_rcvd = request.bytes_sent;
    std::string bad_node;
    auto pipeline = DataPipeline::Open(setup, pool, &bad_node);
    if (!pipeline.ok()) {
      spdlog::warn("{}: setting up the recovered pipeline of {} through {} failed: {}", file.path, BlockName(block),
                   Names(nodes), pipeline.status().ToString());
      auto bad = std::find_if(nodes.begin(), nodes.end(),
                              [&](const hh::DatanodeInfoProto& n) { return NodeAddress(n) == bad_node; });
      if (bad == nodes.end()) bad = nodes.begin();
      failed->push_back(*bad);
      nodes.erase(bad);
      continue;
    }

    hh::ExtendedBlockProto new_block = block;
    new_block.set_generationstamp(new_gen_stamp);
    hh::UpdatePipelineRequestProto record;
    record.set_clientname(ctx.client_name);
    *record.mutable_oldblock() = block;
    *record.mutable_newblock() = new_block;
    for (const auto& n : nodes) *record.add_newnodes() = n.id();
    RETURN_IF_ERROR_CTX(ctx.namenode->UpdatePipeline(record).status(),
                        fmt::format("recording the new pipeline of {}", BlockName(new_block)));
    if (request.kind != RecoveryRequest::Kind::kAppend || attempt > 0)
      spdlog::info("{}: pipeline of {} recovered as {} through {} ({} bytes acknowledged)", file.path,
                   BlockName(block), BlockName(new_block), Names(nodes), request.bytes_acked);
    return OpenBlock{new_block, std::move(*pipeline)};
  }
}

}  // namespace cairn::client
