#include "namenode/ops/op_util.h"

#include "common/clock.h"

namespace cairn::namenode {

PermissionChecker MakeChecker(const NameSystem& nn, const CallContext& caller) {
  return PermissionChecker(caller, nn.settings.superuser, nn.settings.supergroup);
}

InodeRecord NewDirectoryRecord(const std::string& owner, const std::string& group, uint32_t permission, int64_t now) {
  InodeRecord rec;
  rec.set_type(InodeRecord::DIRECTORY);
  rec.set_permission(permission & 01777);
  rec.set_owner(owner);
  rec.set_group(group);
  rec.set_mtime(static_cast<uint64_t>(now));
  rec.set_atime(0);
  return rec;
}

size_t DeepestExisting(const ResolvedPath& p) {
  size_t k = 0;
  while (k + 1 < p.inodes.size() && p.inodes[k + 1] != nullptr) ++k;
  return k;
}

Inode* CreateMissingParents(Mutation& m, ResolvedPath* p, const std::string& owner, uint32_t permission, int64_t now) {
  const size_t parent_index = p->inodes.size() - 2;
  for (size_t i = DeepestExisting(*p) + 1; i <= parent_index; ++i) {
    Inode* parent = p->inodes[i - 1];
    p->inodes[i] = m.AddChild(parent, p->names[i - 1], NewDirectoryRecord(owner, parent->rec.group(), permission, now));
    TouchDirectory(m, parent, now);
  }
  return p->inodes[parent_index];
}

void TouchDirectory(Mutation& m, Inode* dir, int64_t now) {
  dir->rec.set_mtime(static_cast<uint64_t>(now));
  m.Changed(dir);
}

Result<ResolvedPath> ResolveForChange(const InodeTree& tree, std::string_view src, const PermissionChecker& pc) {
  ASSIGN_OR_RETURN(ResolvedPath p, tree.Resolve(src));
  RETURN_IF_ERROR(pc.CheckTraverse(p));
  if (size_t i = p.FirstNonDirectoryAncestor(); i != 0)
    return ParentNotDirectory("{} (is not a directory) in path {}", p.PrefixPath(i), src);
  return p;
}

Result<ResolvedPath> ResolveExisting(const InodeTree& tree, std::string_view src, const PermissionChecker& pc) {
  ASSIGN_OR_RETURN(ResolvedPath p, tree.Resolve(src));
  RETURN_IF_ERROR(pc.CheckTraverse(p));
  if (p.last() == nullptr) return NotFound("File does not exist: {}", src);
  return p;
}

Result<Inode*> ResolveOpenFile(const InodeTree& tree, std::string_view src, uint64_t file_id) {
  if (file_id != 0) {
    Inode* n = tree.Find(file_id);
    if (n == nullptr || !n->is_file()) return NotFound("File does not exist: {} (inode {})", src, file_id);
    return n;
  }
  ASSIGN_OR_RETURN(ResolvedPath p, tree.Resolve(src));
  if (p.last() == nullptr || p.FirstNonDirectoryAncestor() != 0) return NotFound("File does not exist: {}", src);
  if (!p.last()->is_file()) return NotFound("Path is not a file: {}", src);
  return p.last();
}

Status CheckLease(const Inode& file, std::string_view src, std::string_view client) {
  if (!file.under_construction())
    return LeaseExpired("No lease on {}: File is not open for writing. Holder {} does not have any open files.", src,
                        client);
  if (file.lease_holder() != client)
    return LeaseExpired("No lease on {}: the lease is held by {}, not by {}", src, file.lease_holder(), client);
  return Status::OK();
}

Status CheckNotInSafeMode(NameSystem& nn, std::string_view what, std::string_view src) {
  return nn.safe_mode.CheckWrite(fmt::format("{} {}", what, src));
}

void ToExtendedBlock(const std::string& pool_id, const BlockRecord& b, hadoop::hdfs::ExtendedBlockProto* out) {
  out->set_poolid(pool_id);
  out->set_blockid(b.block_id());
  out->set_generationstamp(b.gen_stamp());
  out->set_numbytes(b.num_bytes());
}

void FinishFile(NameSystem& nn, Mutation& m, Inode* file, int64_t now) {
  nn.leases.Remove(file->lease_holder(), file->id());
  file->rec.clear_under_construction();
  file->rec.set_mtime(static_cast<uint64_t>(now));
  m.Changed(file);
  for (const auto& b : file->rec.blocks()) nn.blocks.ForceComplete(b.block_id());
}

}  // namespace cairn::namenode
