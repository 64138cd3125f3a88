#include "namenode/fs/permission.h"

#include <algorithm>

namespace cairn::namenode {

std::string_view FsActionName(uint32_t action) {
  static constexpr std::string_view kNames[] = {"NONE",         "EXECUTE",    "WRITE", "WRITE_EXECUTE",
                                                "READ",         "READ_EXECUTE", "READ_WRITE", "ALL"};
  return kNames[action & 7];
}

std::string ModeString(const Inode& inode) {
  uint32_t mode = inode.rec.permission();
  std::string s;
  s += inode.is_dir() ? 'd' : inode.is_symlink() ? 'l' : '-';
  for (int shift = 6; shift >= 0; shift -= 3) {
    uint32_t bits = (mode >> shift) & 7;
    s += (bits & 4) ? 'r' : '-';
    s += (bits & 2) ? 'w' : '-';
    s += (bits & 1) ? 'x' : '-';
  }
  if (mode & 01000) s[9] = (mode & 1) ? 't' : 'T';
  return s;
}

PermissionChecker::PermissionChecker(const CallContext& caller, const std::string& superuser,
                                     const std::string& supergroup)
    : caller_(caller) {
  super_ = caller.user == superuser || InGroup(supergroup);
}

bool PermissionChecker::InGroup(std::string_view group) const {
  return std::find(caller_.groups.begin(), caller_.groups.end(), group) != caller_.groups.end();
}

bool PermissionChecker::Allowed(const Inode& inode, uint32_t access) const {
  uint32_t mode = inode.rec.permission();
  uint32_t bits;
  if (caller_.user == inode.rec.owner()) bits = (mode >> 6) & 7;
  else if (InGroup(inode.rec.group())) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & access) == access;
}

Status PermissionChecker::Denied(const Inode& inode, std::string_view path, uint32_t access) const {
  return PermissionDenied("Permission denied: user={}, access={}, inode=\"{}\":{}:{}:{}", caller_.user,
                          FsActionName(access), path, inode.rec.owner(), inode.rec.group(), ModeString(inode));
}

Status PermissionChecker::Check(const Inode& inode, std::string_view path, uint32_t access) const {
  if (super_ || Allowed(inode, access)) return Status::OK();
  return Denied(inode, path, access);
}

Status PermissionChecker::CheckTraverse(const ResolvedPath& p) const {
  if (super_) return Status::OK();
  for (size_t i = 0; i + 1 < p.inodes.size(); ++i) {
    const Inode* n = p.inodes[i];
    if (n == nullptr || !n->is_dir()) break;
    if (!Allowed(*n, kActionExecute)) return Denied(*n, p.PrefixPath(i), kActionExecute);
  }
  return Status::OK();
}

Status PermissionChecker::CheckAccess(const ResolvedPath& p, size_t i, uint32_t access) const {
  return Check(*p.inodes[i], p.PrefixPath(i), access);
}

Status PermissionChecker::CheckOwner(const Inode& inode, std::string_view path) const {
  if (super_ || caller_.user == inode.rec.owner()) return Status::OK();
  return PermissionDenied("Permission denied. user={} is not the owner of inode={}", caller_.user, path);
}

Status PermissionChecker::CheckSticky(const Inode& parent, std::string_view parent_path, const Inode& child,
                                      std::string_view child_path) const {
  if (super_ || (parent.rec.permission() & 01000) == 0) return Status::OK();
  if (caller_.user == parent.rec.owner() || caller_.user == child.rec.owner()) return Status::OK();
  return PermissionDenied("Permission denied by sticky bit: user={}, path=\"{}\":{}:{}:{}, parent=\"{}\":{}:{}:{}",
                          caller_.user, child_path, child.rec.owner(), child.rec.group(), ModeString(child),
                          parent_path, parent.rec.owner(), parent.rec.group(), ModeString(parent));
}

Status PermissionChecker::CheckSubtree(const InodeTree& tree, const Inode& root, uint32_t access) const {
  if (super_) return Status::OK();
  std::vector<const Inode*> stack = {&root};
  while (!stack.empty()) {
    const Inode* n = stack.back();
    stack.pop_back();
    if (!n->is_dir() || n->children.empty()) continue;
    if (!Allowed(*n, access)) return Denied(*n, tree.PathOf(n), access);
    for (const auto& [name, child] : n->children) stack.push_back(child);
  }
  return Status::OK();
}

}  // namespace cairn::namenode
