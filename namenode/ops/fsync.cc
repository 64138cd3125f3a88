// fsync (hflush/hsync): the writer tells how long its last block is so far; readers of the
// open file see that length.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status Fsync(NameSystem& nn, const CallContext& caller, const hh::FsyncRequestProto& req,
             hh::FsyncResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "fsync", req.src()));
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(Inode* file, ResolveOpenFile(m.tree(), req.src(), req.fileid()));
    RETURN_IF_ERROR(CheckLease(*file, req.src(), req.client()));
    auto* blocks = file->rec.mutable_blocks();
    if (req.lastblocklength() <= 0 || blocks->empty()) return Status::OK();
    BlockRecord& last = (*blocks)[blocks->size() - 1];
    const auto length = static_cast<uint64_t>(req.lastblocklength());
    if (last.num_bytes() == length) return Status::OK();
    last.set_num_bytes(length);
    m.Changed(file);
    nn.blocks.UpdateBlock(last.block_id(), last.gen_stamp(), length, std::nullopt);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
