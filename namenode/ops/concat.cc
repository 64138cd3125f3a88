// concat: moves the blocks of source files (same directory, closed, non-empty, same block
// size) to the end of the target file and removes the sources, without copying data.
#include <unordered_set>

#include "common/clock.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

Status Concat(NameSystem& nn, const CallContext& caller, const hh::ConcatRequestProto& req,
              hh::ConcatResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "concat", req.trg()));
  if (req.srcs_size() == 0) return InvalidArgument("concat: no source files given for {}", req.trg());
  PermissionChecker pc = MakeChecker(nn, caller);
  return nn.ns.Mutate([&](Mutation& m) -> Status {
    ASSIGN_OR_RETURN(ResolvedPath tp, ResolveExisting(m.tree(), req.trg(), pc));
    Inode* target = tp.last();
    if (!target->is_file()) return InvalidArgument("concat: target {} is not a file", req.trg());
    if (target->under_construction()) return InvalidArgument("concat: target {} is under construction", req.trg());
    RETURN_IF_ERROR(pc.CheckAccess(tp, tp.depth(), kActionWrite));
    RETURN_IF_ERROR(pc.CheckAccess(tp, tp.depth() - 1, kActionWrite));
    std::vector<Inode*> sources;
    std::unordered_set<Inode*> seen;
    for (const std::string& src : req.srcs()) {
      ASSIGN_OR_RETURN(ResolvedPath sp, ResolveExisting(m.tree(), src, pc));
      Inode* s = sp.last();
      if (s == target) return InvalidArgument("concat: target file {} is in the source list", req.trg());
      if (!seen.insert(s).second) return InvalidArgument("concat: {} is listed twice", src);
      if (!s->is_file() || s->under_construction() || s->rec.blocks_size() == 0)
        return InvalidArgument("concat: source file {} is invalid or empty or under construction", src);
      if (s->parent != target->parent)
        return InvalidArgument("concat: source file {} and target file {} are in different directories", src,
                               req.trg());
      if (s->rec.block_size() != target->rec.block_size())
        return InvalidArgument("concat: source file {} has block size {}, the target {}", src, s->rec.block_size(),
                               target->rec.block_size());
      RETURN_IF_ERROR(pc.CheckAccess(sp, sp.depth(), kActionReadWrite));
      sources.push_back(s);
    }
    for (Inode* s : sources) {
      for (const auto& b : s->rec.blocks()) {
        *target->rec.add_blocks() = b;
        nn.blocks.SetOwner(b.block_id(), target->id());
        nn.blocks.SetReplication(b.block_id(), target->rec.replication());
      }
      s->rec.clear_blocks();
      m.RemoveSubtree(s, nullptr, nullptr);
    }
    const int64_t now = WallMillis();
    target->rec.set_mtime(static_cast<uint64_t>(now));
    m.Changed(target);
    TouchDirectory(m, target->parent, now);
    return Status::OK();
  });
}

}  // namespace cairn::namenode
