// Namespace: the namenode's file system tree, in memory for fast reads and persisted to
// RocksDB on every change. It owns the MetaStore, the InodeTree, the id counters and the
// reader/writer lock over all of them.
//
// Reads run under the shared lock (Read). Changes run under the exclusive lock (Mutate)
// only while the operation edits the tree through a Mutation and its batch is serialised
// and queued for the group commit (queue order is the order of changes). The lock is then
// released and the caller waits on the group commit, whose leader writes every queued
// batch in one synced RocksDB write. Only then does Mutate return, so an acknowledged
// change survives kill -9 and power loss. No network I/O, store write or sync ever happens
// under the lock, so reads never wait behind a disk.
//
// Thread-safety: all public functions may be called from any thread. Lock order: the
// namespace lock comes before the lease, block manager and datanode manager locks.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include "common/status.h"
#include "namenode/fs/deferred_durability.h"
#include "namenode/fs/inode_tree.h"
#include "namenode/fs/mutation.h"
#include "namenode/store/group_commit.h"
#include "namenode/store/meta_store.h"

namespace cairn::namenode {

struct NamespaceOptions {
  std::string name_dir;     // RocksDB directory
  std::string superuser;    // owner of "/" at first start
  std::string supergroup;   // group of "/" at first start
  std::string fault_sync_fail_file;  // tests only: WAL syncs fail while this file exists
  // Runs once when a namespace write fails (GroupCommit's on_failure; must not block).
  std::function<void(const Status&)> on_store_failure;
};

class Namespace {
 public:
  static Result<std::unique_ptr<Namespace>> Open(const NamespaceOptions& options);
  ~Namespace();

  // Runs f(const InodeTree&) under the shared lock and returns what it returns.
  template <typename F>
  decltype(auto) Read(F&& f) const {
    std::shared_lock lock(mu_);
    return f(static_cast<const InodeTree&>(tree_));
  }

  // Runs f(Mutation&) under the exclusive lock, persists what it changed and waits until
  // that is durable, then runs the mutation's after-durable actions. f should check
  // everything before changing anything; if it changes something and then fails, the
  // changes are still persisted (memory and disk must agree) and its error is returned.
  // A no-op f still waits for changes it may have observed to be durable.
  // Inside an active DeferredDurability scope it returns as soon as the change is queued,
  // noting the ticket and after-durable actions in the scope instead of waiting.
  Status Mutate(const std::function<Status(Mutation&)>& f);

  // Runs the scope's after-durable actions and then done(outcome) once every change the
  // scope noted is durable (or the store failed): at once when there is nothing to wait
  // for, else on the thread that completes the sync. done must not block.
  void WhenDurable(DeferredDurability& scope, std::function<void(const Status&)> done);
  // Writes what is queued and returns once no WhenDurable callback waits or runs; called at
  // shutdown after the front doors stopped, before what callbacks touch is destroyed.
  void Quiesce() { commit_.Drain(); }

  // A value stored with Mutation::PutMeta; nullopt when never stored.
  Result<std::optional<std::string>> ReadMeta(std::string_view name) const { return store_->GetMeta(name); }

  const std::string& block_pool_id() const { return block_pool_id_; }
  const std::string& cluster_id() const { return cluster_id_; }
  size_t inode_count() const;
  uint64_t wal_syncs() const { return commit_.syncs(); }

 private:
  Namespace(std::unique_ptr<MetaStore> store, std::function<void(const Status&)> on_store_failure);
  Status Load(const NamespaceOptions& options);
  Status Format(const NamespaceOptions& options);

  std::unique_ptr<MetaStore> store_;
  std::string block_pool_id_;  // fixed after Open
  std::string cluster_id_;     // fixed after Open

  mutable std::shared_mutex mu_;
  InodeTree tree_;               // guarded by mu_
  NamespaceCounters counters_;   // guarded by mu_
  Status failed_;                // guarded by mu_: a store write failed; no more mutations
  // Last: destroyed first, so its final callbacks still find the tree, the lock and the store.
  GroupCommit commit_;
};

}  // namespace cairn::namenode
