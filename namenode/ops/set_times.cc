// setTimes: modification and access time of a file or directory; -1 leaves one unchanged.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status SetTimes(NameSystem& nn, const CallContext& caller, const hh::SetTimesRequestProto& req,
                hh::SetTimesResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "set times for", req.src()));
  constexpr uint64_t kUnchanged = static_cast<uint64_t>(-1);
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth(), kActionWrite));
    Inode* inode = p.last();
    if (req.mtime() != kUnchanged) inode->rec.set_mtime(req.mtime());
    if (req.atime() != kUnchanged) inode->rec.set_atime(req.atime());
    if (req.mtime() != kUnchanged || req.atime() != kUnchanged) m.Changed(inode);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
