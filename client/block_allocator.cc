#include "client/block_allocator.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "client/pipeline_recovery.h"
#include "client/proto_convert.h"

namespace cairn::client {

PipelineSetup PipelineSetupFor(const ClientContext& ctx, const hh::ExtendedBlockProto& block,
                               const hadoop::common::TokenProto& token, const std::vector<hh::DatanodeInfoProto>& nodes) {
  PipelineSetup s;
  s.block = block;
  s.token = token;
  s.nodes = nodes;
  s.latest_gen_stamp = block.generationstamp();
  s.client_name = ctx.client_name;
  s.socket_timeout_ms = ctx.options.socket_timeout_ms;
  s.socket_buffer_bytes = ctx.options.socket_buffer_bytes;
  s.window_packets = std::max<uint32_t>(1, ctx.options.write_window_packets);
  return s;
}

Result<OpenBlock> AllocateBlock(ClientContext& ctx, const WritingFile& file, const hh::ExtendedBlockProto* previous,
                                std::vector<hh::DatanodeInfoProto>* excluded, PacketPool* pool) {
  const int attempts = std::max(1, ctx.options.write_block_attempts);
  std::string failures;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    hh::AddBlockRequestProto req;
    req.set_src(file.path);
    req.set_clientname(ctx.client_name);
    if (previous != nullptr) *req.mutable_previous() = *previous;
    for (const auto& dn : *excluded) *req.add_excludenodes() = dn;
    req.set_fileid(file.file_id);
    ASSIGN_OR_RETURN(hh::AddBlockResponseProto resp, ctx.namenode->AddBlock(req));
    const hh::LocatedBlockProto& located = resp.block();
    if (located.locs_size() == 0) return IoError("the namenode chose no datanodes for a new block of {}", file.path);

    std::string bad_node;
    auto pipeline = DataPipeline::Open(
        PipelineSetupFor(ctx, located.b(), located.blocktoken(), {located.locs().begin(), located.locs().end()}), pool,
        &bad_node);
    if (pipeline.ok()) return OpenBlock{located.b(), std::move(*pipeline)};

    spdlog::warn("{}: pipeline set-up for {} failed (attempt {} of {}): {}", file.path, BlockName(located.b()),
                 attempt, attempts, pipeline.status().ToString());
    if (!failures.empty()) failures += "; ";
    failures += pipeline.status().ToString();
    hh::AbandonBlockRequestProto abandon;
    *abandon.mutable_b() = located.b();
    abandon.set_src(file.path);
    abandon.set_holder(ctx.client_name);
    abandon.set_fileid(file.file_id);
    RETURN_IF_ERROR_CTX(ctx.namenode->AbandonBlock(abandon).status(),
                        fmt::format("abandoning {} of {}", BlockName(located.b()), file.path));
    auto bad = std::find_if(located.locs().begin(), located.locs().end(),
                            [&](const hh::DatanodeInfoProto& dn) { return NodeAddress(dn) == bad_node; });
    excluded->push_back(bad != located.locs().end() ? *bad : located.locs(0));
  }
  return IoError("could not write a new block of {}: {} pipeline set-ups failed: {}", file.path, attempts, failures);
}

Result<OpenBlock> ReopenForAppend(ClientContext& ctx, const WritingFile& file, const hh::LocatedBlockProto& last,
                                  std::vector<hh::DatanodeInfoProto>* failed, PacketPool* pool) {
  if (last.locs_size() == 0)
    return IoError("cannot append to {}: no datanode holds its last block {}", file.path, BlockName(last.b()));
  RecoveryRequest req;
  req.kind = RecoveryRequest::Kind::kAppend;
  req.block = last.b();
  req.nodes.assign(last.locs().begin(), last.locs().end());
  req.bytes_acked = last.b().numbytes();
  req.bytes_sent = last.b().numbytes();
  req.hflushed_or_appended = true;
  req.replication = file.replication;
  auto open = RecoverPipeline(ctx, file, req, failed, pool);
  if (!open.ok()) return open.status().WithContext(fmt::format("appending to {}", file.path));
  return open;
}

}  // namespace cairn::client
