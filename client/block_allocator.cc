#include "client/block_allocator.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "client/proto_convert.h"

namespace cairn::client {

namespace {
PipelineSetup MakeSetup(const ClientContext& ctx, const hh::LocatedBlockProto& located) {
  PipelineSetup s;
  s.block = located.b();
  s.nodes.assign(located.locs().begin(), located.locs().end());
  s.latest_gen_stamp = located.b().generationstamp();
  s.client_name = ctx.client_name;
  s.socket_timeout_ms = ctx.options.socket_timeout_ms;
  s.socket_buffer_bytes = ctx.options.socket_buffer_bytes;
  s.window_packets = std::max<uint32_t>(1, ctx.options.write_window_packets);
  return s;
}
}  // namespace

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
    auto pipeline = DataPipeline::Open(MakeSetup(ctx, located), pool, &bad_node);
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
                                  PacketPool* pool) {
  if (last.locs_size() == 0)
    return IoError("cannot append to {}: no datanode holds its last block {}", file.path, BlockName(last.b()));
  hh::UpdateBlockForPipelineRequestProto update;
  *update.mutable_block() = last.b();
  update.set_clientname(ctx.client_name);
  ASSIGN_OR_RETURN(hh::UpdateBlockForPipelineResponseProto updated, ctx.namenode->UpdateBlockForPipeline(update));
  const uint64_t new_gen_stamp = updated.block().b().generationstamp();

  PipelineSetup setup = MakeSetup(ctx, last);
  setup.stage = hh::OpWriteBlockProto::PIPELINE_SETUP_APPEND;
  setup.latest_gen_stamp = new_gen_stamp;
  setup.min_bytes_rcvd = last.b().numbytes();
  setup.max_bytes_rcvd = last.b().numbytes();
  std::string bad_node;
  auto pipeline = DataPipeline::Open(setup, pool, &bad_node);
  if (!pipeline.ok()) return pipeline.status().WithContext(fmt::format("appending to {}", file.path));

  hh::ExtendedBlockProto new_block = last.b();
  new_block.set_generationstamp(new_gen_stamp);
  hh::UpdatePipelineRequestProto record;
  record.set_clientname(ctx.client_name);
  *record.mutable_oldblock() = last.b();
  *record.mutable_newblock() = new_block;
  for (const auto& dn : last.locs()) *record.add_newnodes() = dn.id();
  for (const auto& id : last.storageids()) record.add_storageids(id);
  RETURN_IF_ERROR_CTX(ctx.namenode->UpdatePipeline(record).status(), fmt::format("appending to {}", file.path));
  return OpenBlock{new_block, std::move(*pipeline)};
}

}  // namespace cairn::client
