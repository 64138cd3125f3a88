// createSymlink and getLinkTarget. The namenode stores links but does not resolve them:
// clients follow links themselves, as HDFS clients do.
#include "common/clock.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status CreateSymlink(NameSystem& nn, const CallContext& caller, const hh::CreateSymlinkRequestProto& req,
                     hh::CreateSymlinkResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "create symlink", req.link()));
  if (req.target().empty()) return InvalidArgument("symlink {} has an empty target", req.link());
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveForChange(m.tree(), req.link(), pc));
    if (p.is_root() || p.last() != nullptr) return AlreadyExists("Path {} already exists", req.link());
    const size_t deepest = DeepestExisting(p);
    if (!req.createparent() && deepest + 2 < p.inodes.size())
      return NotFound("Parent directory doesn't exist: {}", p.PrefixPath(p.depth() - 1));
    RETURN_IF_ERROR(pc.CheckAccess(p, deepest, kActionWrite));
    const int64_t now = WallMillis();
    Inode* parent = CreateMissingParents(m, &p, caller.user, req.dirperm().perm() | 0300, now);
    InodeRecord rec;
    rec.set_type(InodeRecord::SYMLINK);
    rec.set_permission(0777);
    rec.set_owner(caller.user);
    rec.set_group(parent->rec.group());
    rec.set_mtime(static_cast<uint64_t>(now));
    rec.set_atime(static_cast<uint64_t>(now));
    rec.set_symlink_target(req.target());
    m.AddChild(parent, p.last_name(), std::move(rec));
    TouchDirectory(m, parent, now);
    return Status::OK();
  });
}

Status GetLinkTarget(NameSystem& nn, const CallContext& caller, const hh::GetLinkTargetRequestProto& req,
                     hh::GetLinkTargetResponseProto* resp) {
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Read([&](const InodeTree& tree) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveExisting(tree, req.path(), pc));
    if (!p.last()->is_symlink()) return InvalidArgument("Path {} is not a symbolic link", req.path());
    resp->set_targetpath(p.last()->rec.symlink_target());
    return Status::OK();
  });
}

}  // namespace cairn::namenode
