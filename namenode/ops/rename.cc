// rename (the old API: false instead of most errors; a destination directory receives the
// source inside it) and rename2 (exact destination, errors raised, optional overwrite).
// Both share one implementation that checks everything before changing anything.
#include "common/clock.h"
#include "common/path.h"
#include "namenode/ops/op_util.h"
#include "namenode/ops/ops.h"

namespace cairn::namenode {

namespace {
bool IsUnder(const Inode* node, const Inode* ancestor) {
  for (const Inode* n = node; n != nullptr; n = n->parent)
    if (n == ancestor) return true;
  return false;
}

// Moves src to dst. With legacy, a directory at dst receives src inside it, and failures
// that HDFS's old rename reports as false come back as *refused.
Status DoRename(NameSystem& nn, const PermissionChecker& pc, Mutation& m, const std::string& src, std::string dst,
                bool legacy, bool overwrite, bool* refused) {
  *refused = false;
  auto refuse = [&](Status st) -> Status {
    if (!legacy) return st;
    *refused = true;
    return Status::OK();
  };
  ASSIGN_OR_RETURN(ResolvedPath sp, m.tree().Resolve(src));
  ASSIGN_OR_RETURN(ResolvedPath dp, m.tree().Resolve(dst));
  RETURN_IF_ERROR(pc.CheckTraverse(sp));
  Inode* source = sp.last();
  if (source == nullptr) return refuse(NotFound("rename source {} is not found.", src));
  if (sp.is_root()) return refuse(InvalidArgument("Rename source / is the root directory"));
  if (legacy && dp.last() != nullptr && dp.last()->is_dir() && dp.last() != source) {
    dst = JoinPath(dst, source->name());
    ASSIGN_OR_RETURN(dp, m.tree().Resolve(dst));
  }
  RETURN_IF_ERROR(pc.CheckTraverse(dp));
  if (dp.last() == source) {
    if (legacy) return Status::OK();  // renaming onto itself succeeds trivially
    return AlreadyExists("The source {} and destination {} are the same", src, dst);
  }
  if (dp.is_root()) return refuse(AlreadyExists("Rename destination / is the root directory"));
  if (size_t i = dp.FirstNonDirectoryAncestor(); i != 0)
    return refuse(ParentNotDirectory("Rename destination parent {} is a file.", dp.PrefixPath(i)));
  Inode* dst_parent = dp.parent();
  if (dst_parent == nullptr)
    return refuse(NotFound("Rename destination parent {} not found.", dp.PrefixPath(dp.depth() - 1)));
  if (IsUnder(dst_parent, source))
    return refuse(InvalidArgument("Rename destination {} is a directory or file under source {}", dst, src));
  Inode* existing = dp.last();
  if (existing != nullptr) {
    if (legacy || !overwrite) return refuse(AlreadyExists("Rename destination {} already exists.", dst));
    if (source->is_dir() && !existing->is_dir())
      return NotDirectory("Source {} is a directory but destination {} is a file.", src, dst);
    if (!source->is_dir() && existing->is_dir())
      return IsDirectory("Source {} is a file but destination {} is a directory.", src, dst);
    if (existing->is_dir() && !existing->children.empty())
      return DirectoryNotEmpty("Rename destination directory is not empty: {}", dst);
  }
  Inode* src_parent = sp.parent();
  RETURN_IF_ERROR(pc.CheckAccess(sp, sp.depth() - 1, kActionWrite));
  RETURN_IF_ERROR(pc.CheckSticky(*src_parent, sp.PrefixPath(sp.depth() - 1), *source, src));
  RETURN_IF_ERROR(pc.CheckAccess(dp, dp.depth() - 1, kActionWrite));
  if (existing != nullptr)
    RETURN_IF_ERROR(pc.CheckSticky(*dst_parent, dp.PrefixPath(dp.depth() - 1), *existing, dst));

  const int64_t now = WallMillis();
  if (existing != nullptr) {
    std::vector<BlockRecord> blocks;
    std::vector<uint64_t> files;
    m.RemoveSubtree(existing, &blocks, &files);
    nn.leases.RemoveFiles(files);
    m.AfterDurable([&bm = nn.blocks, blocks = std::move(blocks)] { bm.RemoveBlocks(blocks); });
  }
  m.Move(source, dst_parent, dp.last_name());
  TouchDirectory(m, src_parent, now);
  if (dst_parent != src_parent) TouchDirectory(m, dst_parent, now);
  return Status::OK();
}
}  // namespace

Status Rename(NameSystem& nn, const CallContext& caller, const hh::RenameRequestProto& req,
              hh::RenameResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "rename", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  bool refused = false;
  RETURN_IF_ERROR(nn.ns.Mutate([&](Mutation& m) {
    return DoRename(nn, pc, m, req.src(), req.dst(), /*legacy=*/true, /*overwrite=*/false, &refused);
  }));
  resp->set_result(!refused);
  return Status::OK();
}

Status Rename2(NameSystem& nn, const CallContext& caller, const hh::Rename2RequestProto& req,
               hh::Rename2ResponseProto* resp) {
  RETURN_IF_ERROR(CheckNotInSafeMode(nn, "rename", req.src()));
  PermissionChecker pc = MakeChecker(nn, caller);
  bool refused = false;
  return nn.ns.Mutate([&](Mutation& m) {
    return DoRename(nn, pc, m, req.src(), req.dst(), /*legacy=*/false, req.overwritedest(), &refused);
  });
}

}  // namespace cairn::namenode
