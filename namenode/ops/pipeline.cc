// Write-pipeline recovery calls: updateBlockForPipeline (a new generation stamp for the
// block being written), updatePipeline (record the surviving nodes and the new stamp) and
// getAdditionalDatanode (a replacement node for a pipeline that lost one).
#include "namenode/ops/file_status.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
// The open file whose last block is `block_id`, written by `client`.
Result<Inode*> FileOfOpenBlock(NameSystem& nn, const InodeTree& tree, uint64_t block_id, std::string_view client) {
  std::optional<BlockInfo> info = nn.blocks.Get(block_id);
  if (!info) return NotFound("blk_{} does not exist", block_id);
  Inode* file = tree.Find(info->inode_id);
  if (file == nullptr || !file->is_file()) return NotFound("the file of blk_{} does not exist", block_id);
  RETURN_IF_ERROR(CheckLease(*file, tree.PathOf(file), client));
  const auto& blocks = file->rec.blocks();
  if (blocks.empty() || blocks[blocks.size() - 1].block_id() != block_id ||
      info->state != BlockState::kUnderConstruction)
    return InvalidArgument("blk_{} is not the block being written to {}", block_id, tree.PathOf(file));
  return file;
}

std::vector<uint32_t> NodeIndices(const NameSystem& nn,
                                  const google::protobuf::RepeatedPtrField<hh::DatanodeIDProto>& ids) {
  std::vector<uint32_t> out;
  for (const auto& id : ids) {
    if (auto idx = nn.datanodes.Lookup(id.datanodeuuid())) out.push_back(*idx);
  }
  return out;
}
}  // namespace

Status UpdateBlockForPipeline(NameSystem& nn, const CallContext& caller,
                              const hh::UpdateBlockForPipelineRequestProto& req,
                              hh::UpdateBlockForPipelineResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "get a new generation stamp for", fmt::format("blk_{}", req.block().blockid())));
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(Inode* file, FileOfOpenBlock(nn, m.tree(), req.block().blockid(), req.clientname()));
    const BlockRecord& last = file->rec.blocks(file->rec.blocks_size() - 1);
    BlockRecord next = last;
    next.set_gen_stamp(m.NewGenStamp());
    // As HDFS: no locations and offset -1; the client keeps its pipeline.
    FillLocatedBlock(nn, next, static_cast<uint64_t>(-1), {}, {caller.user, kBlockWriterModes}, resp->mutable_block());
    return Status::OK();
  });
}

Status UpdatePipeline(NameSystem& nn, const CallContext& caller, const hh::UpdatePipelineRequestProto& req,
                      hh::UpdatePipelineResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "update pipeline of", fmt::format("blk_{}", req.oldblock().blockid())));
  if (req.oldblock().blockid() != req.newblock().blockid())
    return InvalidArgument("updatePipeline: blk_{} and blk_{} differ", req.oldblock().blockid(),
                           req.newblock().blockid());
  std::vector<uint32_t> nodes = NodeIndices(nn, req.newnodes());
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(Inode* file, FileOfOpenBlock(nn, m.tree(), req.oldblock().blockid(), req.clientname()));
    BlockRecord& last = (*file->rec.mutable_blocks())[file->rec.blocks_size() - 1];
    if (req.oldblock().generationstamp() != last.gen_stamp())
      return InvalidArgument("updatePipeline: blk_{} has stamp {}, not {}", last.block_id(), last.gen_stamp(),
                             req.oldblock().generationstamp());
    if (req.newblock().generationstamp() <= last.gen_stamp() || req.newblock().numbytes() < last.num_bytes())
      return InvalidArgument("updatePipeline: new stamp {} / length {} of blk_{} is not valid (namenode has {} / {})",
                             req.newblock().generationstamp(), req.newblock().numbytes(), last.block_id(),
                             last.gen_stamp(), last.num_bytes());
    last.set_gen_stamp(req.newblock().generationstamp());
    last.set_num_bytes(req.newblock().numbytes());
    m.Changed(file);
    nn.blocks.UpdateBlock(last.block_id(), last.gen_stamp(), last.num_bytes(), nodes);
    return Status::OK();
  });
}

Status GetAdditionalDatanode(NameSystem& nn, const CallContext& caller,
                             const hh::GetAdditionalDatanodeRequestProto& req,
                             hh::GetAdditionalDatanodeResponseProto* resp) {
  const std::vector<NodeView> nodes = nn.datanodes.Snapshot();
  std::vector<uint32_t> existing;
  PlacementRequest pr;
  for (const auto& info : req.existings()) {
    if (auto idx = nn.datanodes.Lookup(info.id().datanodeuuid())) existing.push_back(*idx);
  }
  for (const auto& info : req.excludes()) {
    if (auto idx = nn.datanodes.Lookup(info.id().datanodeuuid())) pr.excluded.insert(*idx);
  }
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(Inode* file, ResolveOpenFile(tree, req.src(), req.fileid()));
    RETURN_IF_ERROR(CheckLease(*file, req.src(), req.clientname()));
    pr.replicas = static_cast<int>(req.numadditionalnodes());
    pr.existing = existing;
    pr.block_size = file->rec.block_size();
    pr.writer_ip = caller.client_address;
    std::vector<BlockManager::Location> locs;
    for (uint32_t e : existing) locs.push_back({e, false});
    for (uint32_t t : nn.placement.ChooseTargets(nodes, pr)) locs.push_back({t, false});
    BlockRecord b;
    b.set_block_id(req.blk().blockid());
    b.set_gen_stamp(req.blk().generationstamp());
    b.set_num_bytes(req.blk().numbytes());
    FillLocatedBlock(nn, b, 0, locs, {caller.user, kBlockWriterModes}, resp->mutable_block());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
