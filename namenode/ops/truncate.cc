// truncate: shortens a closed file. Truncating to a block boundary drops whole blocks;
// cutting inside a block needs the datanode side of block recovery, not built yet.
#include "common/clock.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status Truncate(NameSystem& nn, const CallContext& caller, const hh::TruncateRequestProto& req,
                hh::TruncateResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "truncate", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    Inode* file = p.last();
    if (!file->is_file()) return IsDirectory("Path is not a file: {}", req.src());
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionWrite));
    if (file->under_construction())
      return AlreadyBeingCreated("Failed to TRUNCATE_FILE {} for {} because the file is open for writing by {}",
                                 req.src(), req.clientname(), file->lease_holder());
    const uint64_t length = file->FileLength();
    if (req.newlength() > length)
      return InvalidArgument("Cannot truncate to a larger file size. Current size: {}, truncate size: {}.", length,
                             req.newlength());
    resp->set_result(true);
    if (req.newlength() == length) return Status::OK();
    auto* blocks = file->rec.mutable_blocks();
    uint64_t pos = 0;
    int keep = 0;
    while (keep < blocks->size() && pos < req.newlength()) pos += (*blocks)[keep++].num_bytes();
    if (pos != req.newlength())
      return Unimplemented("truncating {} to {} bytes would cut a block in the middle; only truncation to a block "
                           "boundary is supported",
                           req.src(), req.newlength());
    std::vector<BlockRecord> dropped(blocks->begin() + keep, blocks->end());
    blocks->DeleteSubrange(keep, blocks->size() - keep);
    file->rec.set_mtime(static_cast<uint64_t>(WallMillis()));
    m.Changed(file);
    m.AfterDurable([&bm = nn.blocks, dropped = std::move(dropped)] { bm.RemoveBlocks(dropped); });
    return Status::OK();
  });
}

}  // namespace cairn::namenode
