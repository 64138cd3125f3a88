// PermissionChecker: HDFS's permission model for one caller. Owner/group/other mode bits,
// EXECUTE to traverse every ancestor directory, the sticky bit on directories, ownership
// for setPermission/setOwner, subtree checks for recursive delete. The superuser (the
// namenode's own user, or a member of the supergroup) passes every check. Denials are
// kPermissionDenied with HDFS's message shape:
//   Permission denied: user=bob, access=WRITE, inode="/a":alice:supergroup:drwxr-xr-x
//
// Thread-safety: a value built per call; reads inodes under the caller's namespace lock.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "namenode/fs/inode_tree.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

enum FsAction : uint32_t {
  kActionNone = 0,
  kActionExecute = 1,
  kActionWrite = 2,
  kActionWriteExecute = 3,
  kActionRead = 4,
  kActionReadExecute = 5,
  kActionReadWrite = 6,
  kActionAll = 7,
};

// HDFS's FsAction names: "READ", "WRITE", "READ_EXECUTE", "ALL", ...
std::string_view FsActionName(uint32_t action);
// "drwxr-xr-x", "-rw-r--r--", "drwxrwxrwt".
std::string ModeString(const Inode& inode);

class PermissionChecker {
 public:
  PermissionChecker(const CallContext& caller, const std::string& superuser, const std::string& supergroup);

  bool is_superuser() const { return super_; }
  const std::string& user() const { return caller_.user; }
  bool InGroup(std::string_view group) const;

  // EXECUTE on every existing directory that leads to the last component.
  Status CheckTraverse(const ResolvedPath& p) const;
  // `access` on p.inodes[i] (which must exist).
  Status CheckAccess(const ResolvedPath& p, size_t i, uint32_t access) const;
  Status Check(const Inode& inode, std::string_view path, uint32_t access) const;
  // Caller owns the inode (setPermission, setOwner of the group, setTimes).
  Status CheckOwner(const Inode& inode, std::string_view path) const;
  // A sticky parent lets only the owner of the parent or of the child remove/rename it.
  Status CheckSticky(const Inode& parent, std::string_view parent_path, const Inode& child,
                     std::string_view child_path) const;
  // `access` on every non-empty directory of the subtree (HDFS's recursive delete check).
  Status CheckSubtree(const InodeTree& tree, const Inode& root, uint32_t access) const;

 private:
  bool Allowed(const Inode& inode, uint32_t access) const;
  Status Denied(const Inode& inode, std::string_view path, uint32_t access) const;

  const CallContext& caller_;
  bool super_ = false;
};

}  // namespace cairn::namenode
