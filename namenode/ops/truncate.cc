// truncate (HDFS's FSDirTruncateOp): shortens a closed file. To a block boundary, the
// blocks past it are dropped and the call is done (true). Inside a block, the blocks
// after that one are dropped, the block keeps the bytes before the new length (recorded
// at once, so readers see the new length) and goes back under construction, and the file
// is opened for the namenode (the `truncating` mark survives a restart); block recovery
// with a new generation stamp then cuts every replica (RecoverBlockCommand with
// `truncate`), and the primary datanode's commitBlockSynchronization closes the file.
// The call answers false: not done yet; clients wait until isFileClosed says so.
#include "common/clock.h"
#include "namenode/ops/lease_recovery.h"
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
    if (file->under_construction()) {
      if (file->rec.under_construction().truncating())
        return AlreadyBeingCreated("Failed to TRUNCATE_FILE {} for {}: an earlier truncate is still in progress "
                                   "(block recovery). Try again later.",
                                   req.src(), req.clientname());
      return AlreadyBeingCreated("Failed to TRUNCATE_FILE {} for {} because the file is open for writing by {}",
                                 req.src(), req.clientname(), file->lease_holder());
    }
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
    std::vector<BlockRecord> dropped(blocks->begin() + keep, blocks->end());
    blocks->DeleteSubrange(keep, blocks->size() - keep);
    file->rec.set_mtime(static_cast<uint64_t>(WallMillis()));
    m.Changed(file);
    m.AfterDurable([&bm = nn.blocks, dropped = std::move(dropped)] { bm.RemoveBlocks(dropped); });
    if (pos == req.newlength()) return Status::OK();

    // The new length falls inside the (now) last block: cut it by block recovery.
    BlockRecord& last = (*blocks)[keep - 1];
    const uint64_t kept = last.num_bytes() - (pos - req.newlength());
    last.set_num_bytes(kept);
    auto* uc = file->rec.mutable_under_construction();
    uc->set_client_name(kNamenodeLeaseHolder);
    uc->set_client_machine(caller.client_address);
    uc->set_truncating(true);
    nn.leases.Add(kNamenodeLeaseHolder, file->id());
    nn.blocks.ReopenBlock(last.block_id());
    nn.blocks.UpdateBlock(last.block_id(), last.gen_stamp(), kept, std::nullopt);
    // Starts the recovery now (or leaves it to the lease monitor, which retries, when no
    // holder of the block is alive yet).
    const bool closed = TryCloseAbandonedFile(nn, m, file);
    resp->set_result(closed);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
