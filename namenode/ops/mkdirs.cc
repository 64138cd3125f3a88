// mkdirs: creates a directory and, with createParent, its missing ancestors.
#include "common/clock.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status Mkdirs(NameSystem& nn, const CallContext& caller, const hh::MkdirsRequestProto& req,
              hh::MkdirsResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "create directory", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  resp->set_result(false);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, ResolveForChange(m.tree(), req.src(), pc));
    if (Inode* last = p.last()) {
      if (!last->is_dir()) return AlreadyExists("Path is not a directory: {} (a file exists there)", req.src());
      resp->set_result(true);
      return Status::OK();
    }
    const size_t deepest = DeepestExisting(p);
    if (!req.createparent() && deepest + 2 < p.inodes.size())
      return NotFound("Parent directory doesn't exist: {}", p.PrefixPath(p.depth() - 1));
    RETURN_IF_ERROR(pc.CheckAccess(p, deepest, kActionWrite));
    const int64_t now = WallMillis();
    const uint32_t perm = req.masked().perm();
    // Implicit parents keep the owner able to add entries below them, as in HDFS.
    Inode* parent = CreateMissingParents(m, &p, caller.user, perm | 0300, now);
    m.AddChild(parent, p.last_name(), NewDirectoryRecord(caller.user, parent->rec.group(), perm, now));
    TouchDirectory(m, parent, now);
    resp->set_result(true);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
