// setPermission and setOwner: HDFS's rules. Changing mode or group needs ownership (and
// membership of the new group); changing the owner needs the superuser.
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status SetPermission(NameSystem& nn, const CallContext& caller, const hh::SetPermissionRequestProto& req,
                     hh::SetPermissionResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "set permission for", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    Inode* inode = p.last();
    RETURN_IF_ERROR(pc.CheckOwner(*inode, req.src()));
    inode->rec.set_permission(req.permission().perm() & 01777);
    m.Changed(inode);
    return Status::OK();
  });
}

Status SetOwner(NameSystem& nn, const CallContext& caller, const hh::SetOwnerRequestProto& req,
                hh::SetOwnerResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "set owner for", req.src()));
  const bool set_user = req.has_username() && !req.username().empty();
  const bool set_group = req.has_groupname() && !req.groupname().empty();
  if (!set_user && !set_group) return InvalidArgument("setOwner of {}: neither user nor group given", req.src());
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(m.tree(), req.src(), pc));
    Inode* inode = p.last();
    RETURN_IF_ERROR(pc.CheckOwner(*inode, req.src()));
    if (!pc.is_superuser()) {
      if (set_user && req.username() != inode->rec.owner())
        return PermissionDenied("User {} is not a super user (non-super user cannot change owner).", caller.user);
      if (set_group && !pc.InGroup(req.groupname()))
        return PermissionDenied("User {} does not belong to {}", caller.user, req.groupname());
    }
    if (set_user) inode->rec.set_owner(req.username());
    if (set_group) inode->rec.set_group(req.groupname());
    m.Changed(inode);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
