// delete: removes a file, a symlink or a directory (recursively when asked). The blocks of
// removed files are deleted on the datanodes once the removal is durable.
#include "common/clock.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status Delete(NameSystem& nn, const CallContext& caller, const hh::DeleteRequestProto& req,
              hh::DeleteResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "delete", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  resp->set_result(false);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath p, m.tree().Resolve(req.src()));
    RETURN_IF_ERROR(pc.CheckTraverse(p));
    Inode* target = p.last();
    if (target == nullptr) return Status::OK();
    const bool non_empty = target->is_dir() && !target->children.empty();
    if (non_empty && !req.recursive())
      return DirectoryNotEmpty("`{}': Directory is not empty", req.src());
    if (p.is_root()) return InvalidArgument("The root directory / cannot be deleted");
    RETURN_IF_ERROR(pc.CheckAccess(p, p.depth() - 1, kActionWrite));
    RETURN_IF_ERROR(pc.CheckSticky(*p.parent(), p.PrefixPath(p.depth() - 1), *target, req.src()));
    if (non_empty) RETURN_IF_ERROR(pc.CheckSubtree(m.tree(), *target, kActionAll));
    Inode* parent = p.parent();
    std::vector<BlockRecord> blocks;
    std::vector<uint64_t> files;
    m.RemoveSubtree(target, &blocks, &files);
    TouchDirectory(m, parent, WallMillis());
    nn.leases.RemoveFiles(files);
    m.AfterDurable([&bm = nn.blocks, blocks = std::move(blocks)] { bm.RemoveBlocks(blocks); });
    resp->set_result(true);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
