// Inode: one file, directory or symlink of the in-memory namespace (HDFS's INode). Its
// persisted attributes are the InodeRecord exactly as stored in RocksDB, so saving an inode
// is one serialisation and there is no second copy of the attributes to keep in sync.
// Directories also hold their children, sorted by name, as raw pointers owned by the
// InodeTree, in a tree that also knows each entry's rank, so a listing page starting
// anywhere in a huge directory tells how many entries remain in O(log n), not O(n).
//
// Thread-safety: none of its own; the namespace lock guards every inode (shared for reads,
// exclusive for changes).
#pragma once

#include <cstdint>
#include <string>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include "cairn/namespace.pb.h"

namespace cairn::namenode {

struct Inode;
// Name -> child, sorted by name, with rank queries (order_of_key).
using ChildMap = __gnu_pbds::tree<std::string, Inode*, std::less<std::string>, __gnu_pbds::rb_tree_tag,
                                  __gnu_pbds::tree_order_statistics_node_update>;

struct Inode {
  InodeRecord rec;
  Inode* parent = nullptr;                               // nullptr only for the root
  ChildMap children;                                     // directories only

  uint64_t id() const { return rec.id(); }
  const std::string& name() const { return rec.name(); }
  bool is_dir() const { return rec.type() == InodeRecord::DIRECTORY; }
  bool is_file() const { return rec.type() == InodeRecord::FILE; }
  bool is_symlink() const { return rec.type() == InodeRecord::SYMLINK; }
  bool under_construction() const { return rec.has_under_construction(); }
  const std::string& lease_holder() const { return rec.under_construction().client_name(); }

  // Sum of the block lengths of a file (0 for others).
  uint64_t FileLength() const {
    uint64_t n = 0;
    for (const auto& b : rec.blocks()) n += b.num_bytes();
    return n;
  }
};

// HDFS's reserved inode ids: 0 is "unknown", the root is 16385, new inodes count up from there.
inline constexpr uint64_t kRootInodeId = 16385;
// HDFS's first sequential block id and first generation stamp.
inline constexpr uint64_t kFirstBlockId = (1ull << 30) + 1;
inline constexpr uint64_t kFirstGenStamp = 1001;

}  // namespace cairn::namenode
