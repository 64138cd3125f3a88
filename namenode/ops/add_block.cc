// addBlock: commits the writer's previous block and allocates the next one with targets
// from the placement policy.
#include "namenode/ops/file_status.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
std::unordered_set<uint32_t> ExcludedNodes(const std::vector<NodeView>& nodes,
                                           const google::protobuf::RepeatedPtrField<hh::DatanodeInfoProto>& excluded) {
  std::unordered_set<uint32_t> out;
  for (const auto& info : excluded) {
    for (const auto& n : nodes) {
      if (n.uuid == info.id().datanodeuuid() ||
          (n.ip == info.id().ipaddr() && n.xfer_port == static_cast<int>(info.id().xferport())))
        out.insert(n.index);
    }
  }
  return out;
}

bool HasFlag(const hh::AddBlockRequestProto& req, hh::AddBlockFlagProto flag) {
  for (int f : req.flags())
    if (f == flag) return true;
  return false;
}
}  // namespace

Status AddBlock(NameSystem& nn, const CallContext& caller, const hh::AddBlockRequestProto& req,
                hh::AddBlockResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "add block to", req.src()));
  // Placement works on a snapshot taken outside the namespace lock.
  const std::vector<NodeView> nodes = nn.datanodes.Snapshot();
  const std::unordered_set<uint32_t> excluded = ExcludedNodes(nodes, req.excludenodes());
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(Inode* file, ResolveOpenFile(m.tree(), req.src(), req.fileid()));
    RETURN_IF_ERROR(CheckLease(*file, req.src(), req.clientname()));
    auto* blocks = file->rec.mutable_blocks();
    const int n = blocks->size();
    if (n > 0) {
      const BlockRecord& last = (*blocks)[n - 1];
      std::optional<BlockInfo> info = nn.blocks.Get(last.block_id());
      const bool last_open = info && info->state == BlockState::kUnderConstruction;
      // A retried call whose first reply was lost: the block it allocated is still empty.
      const bool retry = last_open && last.num_bytes() == 0 &&
                         (req.has_previous() ? n >= 2 && (*blocks)[n - 2].block_id() == req.previous().blockid()
                                             : n == 1);
      if (retry) {
        std::vector<BlockManager::Location> locs = nn.blocks.Locations(last.block_id());
        FillLocatedBlock(nn, last, file->FileLength(), locs, {caller.user, kBlockWriterModes}, resp->mutable_block());
        return Status::OK();
      }
      if (!req.has_previous() && last_open)
        return InvalidArgument("addBlock for {} names no previous block but block blk_{} is still being written",
                               req.src(), last.block_id());
    }
    if (req.has_previous()) {
      if (n == 0 || (*blocks)[n - 1].block_id() != req.previous().blockid())
        return InvalidArgument("blk_{} is not the last block of {}", req.previous().blockid(), req.src());
      if ((*blocks)[n - 1].gen_stamp() != req.previous().generationstamp())
        return InvalidArgument("blk_{}_{} does not match the namenode's generation stamp {}", req.previous().blockid(),
                               req.previous().generationstamp(), (*blocks)[n - 1].gen_stamp());
    }
    for (int i = 0; i + 1 < n; ++i) {
      if (!nn.blocks.IsComplete((*blocks)[i].block_id()))
        return NotReplicatedYet("Not replicated yet: {} (blk_{} has fewer than {} replicas)", req.src(),
                                (*blocks)[i].block_id(), nn.blocks.min_replication());
    }
    PlacementRequest pr;
    pr.replicas = static_cast<int>(file->rec.replication());
    pr.writer_ip = caller.client_address;
    pr.excluded = excluded;
    pr.favored.assign(req.favorednodes().begin(), req.favorednodes().end());
    pr.block_size = file->rec.block_size();
    pr.avoid_local = HasFlag(req, hh::NO_LOCAL_WRITE);
    if (HasFlag(req, hh::IGNORE_CLIENT_LOCALITY)) pr.writer_ip.clear();
    std::vector<uint32_t> targets = nn.placement.ChooseTargets(nodes, pr);
    if (static_cast<int>(targets.size()) < nn.blocks.min_replication()) {
      size_t live = 0;
      for (const auto& v : nodes) live += v.alive ? 1 : 0;
      return IoError("File {} could only be written to {} of the {} minReplication nodes. There are {} datanode(s) "
                     "running and {} node(s) are excluded in this operation.",
                     req.src(), targets.size(), nn.blocks.min_replication(), live, excluded.size());
    }
    if (req.has_previous()) {
      BlockRecord& prev = (*blocks)[n - 1];
      prev.set_num_bytes(req.previous().numbytes());
      nn.blocks.CommitBlock(prev.block_id(), prev.num_bytes());
    }
    const uint64_t offset = file->FileLength();
    BlockRecord* b = blocks->Add();
    b->set_block_id(m.NewBlockId());
    b->set_gen_stamp(m.NewGenStamp());
    b->set_num_bytes(0);
    m.Changed(file);
    nn.blocks.AddBlock(b->block_id(), file->id(), b->gen_stamp(), 0, file->rec.replication(),
                       BlockState::kUnderConstruction, targets);
    std::vector<BlockManager::Location> locs;
    for (uint32_t t : targets) locs.push_back({t, false});
    FillLocatedBlock(nn, *b, offset, locs, {caller.user, kBlockWriterModes}, resp->mutable_block());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
