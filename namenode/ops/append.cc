// append: reopens a closed file for writing under the caller's lease. A partial last block
// is handed back to continue in (unless NEW_BLOCK asks for a fresh one).
#include "namenode/ops/file_status.h"
#include "namenode/ops/lease_recovery.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status Append(NameSystem& nn, const CallContext& caller, const hh::AppendRequestProto& req,
              hh::AppendResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "append to file", req.src()));
  if (req.clientname().empty()) return InvalidArgument("append to {} names no client", req.src());
  PermissionChecker pc = MakeChecker(nn, caller);
  LocationSorter sorter(nn, caller.client_address);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, m.tree().Resolve(req.src()));
    RETURN_IF_ERROR(pc.CheckTraverse(p));
    Inode* file = p.last();
    if (file == nullptr)
      return NotFound("Failed to append to non-existent file {} for client {}", req.src(), caller.client_address);
    if (file->is_dir())
      return AlreadyExists("Cannot append to directory {}; already exists as a directory.", req.src());
    if (!file->is_file()) return InvalidArgument("Cannot append to {}: not a file", req.src());
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionWrite));
    if (file->under_construction())
      RETURN_IF_ERROR(TakeOverOrRefuse(nn, m, file, "APPEND_FILE", req.src(), caller, req.clientname()));
    file->rec.mutable_under_construction()->set_client_name(req.clientname());
    file->rec.mutable_under_construction()->set_client_machine(caller.client_address);
    m.Changed(file);
    nn.leases.Add(req.clientname(), file->id());
    const auto& blocks = file->rec.blocks();
    const bool new_block = req.flag() & hh::NEW_BLOCK;
    if (!new_block && !blocks.empty()) {
      const BlockRecord& last = blocks[blocks.size() - 1];
      if (last.num_bytes() < file->rec.block_size()) {
        nn.blocks.ReopenBlock(last.block_id());
        std::vector<BlockManager::Location> locs = nn.blocks.Locations(last.block_id());
        sorter.Sort(&locs);
        FillLocatedBlock(nn, last, file->FileLength() - last.num_bytes(), locs, {caller.user, kBlockWriterModes}, resp->mutable_block());
      }
    }
    FillFileStatus(*file, "", resp->mutable_stat());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
