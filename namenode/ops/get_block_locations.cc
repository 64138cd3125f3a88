// getBlockLocations: the blocks of a byte range of a file and where to read them,
// nearest replica first.
#include "namenode/ops/file_status.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status GetBlockLocations(NameSystem& nn, const CallContext& caller, const hh::GetBlockLocationsRequestProto& req,
                         hh::GetBlockLocationsResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  LocationSorter sorter(nn, caller.client_address);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.src(), pc));
    const Inode& file = *p.last();
    if (!file.is_file()) return IsDirectory("Path is not a file: {}", req.src());
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionRead));
    FillLocatedBlocks(nn, file, req.offset(), req.length(), sorter, caller.user, resp->mutable_locations());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
