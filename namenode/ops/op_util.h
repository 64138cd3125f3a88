// Helpers shared by the client operations in namenode/ops/: permission checker set-up,
// new inode records, implicit parent directories, finding the file an open-file call
// names, lease checks and block conversions. Each has one home here so operations stay
// short and agree with each other.
//
// Thread-safety: the functions that take an InodeTree or Mutation run under the
// namespace lock their caller holds.
#pragma once

#include <string>
#include <string_view>

#include "hadoop/hdfs.pb.h"
#include "namenode/fs/mutation.h"
#include "namenode/fs/permission.h"
#include "namenode/name_system.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

PermissionChecker MakeChecker(const NameSystem& nn, const CallContext& caller);

InodeRecord NewDirectoryRecord(const std::string& owner, const std::string& group, uint32_t permission, int64_t now);

// Index of the deepest inode of the path that exists (0 = the root).
size_t DeepestExisting(const ResolvedPath& p);

// Creates the missing directories between the deepest existing one and the last
// component (exclusive), owned by `owner`, each taking its parent's group; fills them into
// p->inodes and returns the last component's parent.
Inode* CreateMissingParents(Mutation& m, ResolvedPath* p, const std::string& owner, uint32_t permission, int64_t now);

// A directory's modification time follows changes to its entries.
void TouchDirectory(Mutation& m, Inode* dir, int64_t now);

// Validates the path (kInvalidArgument) and checks that no ancestor is a file
// (kParentNotDirectory) and that the caller may traverse it.
Result<ResolvedPath> ResolveForChange(const InodeTree& tree, std::string_view src, const PermissionChecker& pc);

// Validates the path, checks the caller may traverse it and that it exists
// (kNotFound "File does not exist: <src>").
Result<ResolvedPath> ResolveExisting(const InodeTree& tree, std::string_view src, const PermissionChecker& pc);

// The file an open-file call names: by inode id when file_id is set (it survives
// renames, as in HDFS), else by path. kNotFound when it is gone or not a file.
Result<Inode*> ResolveOpenFile(const InodeTree& tree, std::string_view src, uint64_t file_id);

// kLeaseExpired unless `client` holds the write lease of the file.
Status CheckLease(const Inode& file, std::string_view src, std::string_view client);

// Safe-mode gate for changes: kSafeMode "Cannot <what> <src>. Name node is in safe mode...".
Status CheckNotInSafeMode(NameSystem& nn, std::string_view what, std::string_view src);

void ToExtendedBlock(const std::string& pool_id, const BlockRecord& b, hadoop::hdfs::ExtendedBlockProto* out);

// Closes a file under construction: clears the lease, completes its blocks.
void FinishFile(NameSystem& nn, Mutation& m, Inode* file, int64_t now);

}  // namespace cairn::namenode
