// Small questions about one path: getPreferredBlockSize, checkAccess, isFileClosed.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status GetPreferredBlockSize(NameSystem& nn, const CallContext& caller,
                             const hh::GetPreferredBlockSizeRequestProto& req,
                             hh::GetPreferredBlockSizeResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.filename(), pc));
    if (!p.last()->is_file()) return NotFound("Path is not a file: {}", req.filename());
    resp->set_bsize(p.last()->rec.block_size());
    return Status::OK();
  });
}

Status CheckAccess(NameSystem& nn, const CallContext& caller, const hh::CheckAccessRequestProto& req,
                   hh::CheckAccessResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.path(), pc));
    return pc.CheckAccess(p, p.depth(), static_cast<uint32_t>(req.mode()) & 7);
  });
}

Status IsFileClosed(NameSystem& nn, const CallContext& caller, const hh::IsFileClosedRequestProto& req,
                    hh::IsFileClosedResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.src(), pc));
    if (!p.last()->is_file()) return NotFound("Path is not a file: {}", req.src());
    resp->set_result(!p.last()->under_construction());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
