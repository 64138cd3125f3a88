// abandonBlock: the writer gives up the block it was just handed (e.g. a pipeline it
// could not set up); the block leaves the file.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status AbandonBlock(NameSystem& nn, const CallContext& caller, const hh::AbandonBlockRequestProto& req,
                    hh::AbandonBlockResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "abandon block in", req.src()));
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(Inode* file, ResolveOpenFile(m.tree(), req.src(), req.fileid()));
    RETURN_IF_ERROR(CheckLease(*file, req.src(), req.holder()));
    auto* blocks = file->rec.mutable_blocks();
    // Not (or no longer) the last block: nothing to do, as HDFS answers a repeated call.
    if (blocks->empty() || (*blocks)[blocks->size() - 1].block_id() != req.b().blockid()) return Status::OK();
    std::vector<BlockRecord> dropped = {(*blocks)[blocks->size() - 1]};
    blocks->RemoveLast();
    m.Changed(file);
    m.AfterDurable([&bm = nn.blocks, dropped] { bm.RemoveBlocks(dropped); });
    return Status::OK();
  });
}

}  // namespace cairn::namenode
