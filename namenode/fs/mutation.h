// Mutation: one namespace transaction. Every change an operation makes to the in-memory
// tree goes through it, and it records the matching RocksDB writes (inode records,
// directory entries, counters) in one WriteBatch, so memory and disk never disagree.
// It also collects actions to run only after the batch is durable (e.g. telling datanodes
// to delete the blocks of a removed file: doing that earlier could lose data on a crash).
//
// Thread-safety: lives inside Namespace::Mutate, under the exclusive namespace lock.
#pragma once

#include <functional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <rocksdb/write_batch.h>

#include "namenode/fs/inode_tree.h"

namespace cairn::namenode {

// Persisted id counters, guarded by the namespace lock.
struct NamespaceCounters {
  uint64_t next_inode_id = kRootInodeId + 1;
  uint64_t next_block_id = kFirstBlockId;
  uint64_t gen_stamp = kFirstGenStamp - 1;  // last stamp handed out
};

class Mutation {
 public:
  Mutation(InodeTree& tree, NamespaceCounters& counters) : tree_(tree), counters_(counters) {}
  Mutation(const Mutation&) = delete;
  Mutation& operator=(const Mutation&) = delete;

  InodeTree& tree() { return tree_; }

  // Creates a child of `parent` from `rec` (its id, parent_id and name are set here).
  Inode* AddChild(Inode* parent, std::string_view name, InodeRecord rec);
  // The inode's record changed; it is saved once when the transaction ends.
  void Changed(Inode* inode);
  // Removes the subtree rooted at `node`; appends the blocks of removed files to *blocks
  // and the removed file ids to *files (either may be null). `node` is invalid afterwards.
  void RemoveSubtree(Inode* node, std::vector<BlockRecord>* blocks, std::vector<uint64_t>* files);
  // Moves `node` under `new_parent` as `new_name` (no inode may hold that name there).
  void Move(Inode* node, Inode* new_parent, std::string_view new_name);

  uint64_t NewBlockId();
  uint64_t NewGenStamp();

  // Stores a value under an 'm' key of the store (namenode state that is not inodes,
  // e.g. the decommissioned datanodes), in the same transaction.
  void PutMeta(std::string_view name, std::string_view value);

  // Runs after the batch is durable, after the namespace lock is released.
  void AfterDurable(std::function<void()> fn) { after_durable_.push_back(std::move(fn)); }

  bool empty() const { return batch_.Count() == 0 && dirty_.empty() && !counters_dirty_; }
  // Completes the batch (dirty inodes, counters) and hands it over.
  rocksdb::WriteBatch* FinishBatch();
  std::vector<std::function<void()>> TakeAfterDurable() { return std::move(after_durable_); }

 private:
  InodeTree& tree_;
  NamespaceCounters& counters_;
  rocksdb::WriteBatch batch_;
  std::unordered_set<Inode*> dirty_;
  bool counters_dirty_ = false;
  std::vector<std::function<void()>> after_durable_;
};

}  // namespace cairn::namenode
