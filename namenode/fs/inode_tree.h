// InodeTree: the whole namespace in memory (HDFS's FSDirectory without its locking):
// every inode by id, the root, and path resolution. It owns the inodes. Changes go
// through Mutation, which keeps the tree and the RocksDB batch in step; the raw editing
// functions here are for Mutation and for loading at start-up.
//
// Thread-safety: none of its own; guarded by Namespace's lock.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "namenode/fs/inode.h"

namespace cairn::namenode {

// A path split into components with the inode of each prefix that exists.
struct ResolvedPath {
  std::string path;                 // the path as given
  std::vector<std::string> names;   // components; empty for "/"
  std::vector<Inode*> inodes;       // inodes[0] = root, inodes[i] = names[i-1]; nullptr once missing

  size_t depth() const { return names.size(); }
  Inode* last() const { return inodes.back(); }
  // The inode that would hold the last component; nullptr for "/" or when missing.
  Inode* parent() const { return inodes.size() >= 2 ? inodes[inodes.size() - 2] : nullptr; }
  const std::string& last_name() const { return names.back(); }
  bool is_root() const { return names.empty(); }
  // "/a/b" for the prefix ending at inodes[i].
  std::string PrefixPath(size_t i) const;
  // Index of the first existing ancestor (not the last component) that is not a directory, or 0.
  size_t FirstNonDirectoryAncestor() const;
};

class InodeTree {
 public:
  InodeTree() = default;
  InodeTree(const InodeTree&) = delete;
  InodeTree& operator=(const InodeTree&) = delete;

  Inode* root() const { return root_; }
  Inode* Find(uint64_t id) const;
  size_t size() const { return inodes_.size(); }

  // Splits and validates the path (kInvalidArgument) and looks up every prefix.
  Result<ResolvedPath> Resolve(std::string_view path) const;
  // Full path of an inode ("/" for the root).
  std::string PathOf(const Inode* inode) const;

  // --- Start-up loading -------------------------------------------------------------
  Status Insert(InodeRecord rec);
  Status Link(uint64_t parent_id, std::string_view name, uint64_t child_id);
  // Checks the root exists and drops inodes no directory reaches; returns how many were dropped.
  Result<size_t> FinishLoad();

  // --- Raw edits, used by Mutation only ------------------------------------------------
  Inode* Add(Inode* parent, InodeRecord rec);
  void Unlink(Inode* node);
  void LinkUnder(Inode* node, Inode* parent, std::string_view name);
  void Erase(Inode* node);  // node must be unlinked and childless

  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [id, inode] : inodes_) f(*inode);
  }

 private:
  std::unordered_map<uint64_t, std::unique_ptr<Inode>> inodes_;
  Inode* root_ = nullptr;
};

}  // namespace cairn::namenode
