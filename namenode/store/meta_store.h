// MetaStore: the namenode's RocksDB database, and nothing more. It opens (creating) the
// directory, iterates what is stored at start-up and applies write batches with a synced
// WAL. Batching many mutations into one write (group commit) lives in GroupCommit; what
// the keys mean lives in keys.h and the namespace code.
//
// Thread-safety: WriteSynced may be called from any thread (RocksDB is thread-safe);
// the Load* functions run once at start-up before anything else uses the store.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>

#include "cairn/namespace.pb.h"
#include "common/status.h"

namespace cairn::namenode {

class MetaStore {
 public:
  // fault_sync_fail_file (tests only): while that file exists, WAL syncs fail (sync_fault_env.h).
  static Result<std::unique_ptr<MetaStore>> Open(const std::string& dir, const std::string& fault_sync_fail_file = "");
  ~MetaStore();
  MetaStore(const MetaStore&) = delete;
  MetaStore& operator=(const MetaStore&) = delete;

  // Start-up iteration. A record that does not parse is kCorruption.
  Status LoadInodes(const std::function<Status(InodeRecord&&)>& fn);
  Status LoadDirEntries(const std::function<Status(uint64_t parent, std::string_view name, uint64_t child)>& fn);
  Result<std::optional<std::string>> GetMeta(std::string_view name);

  // Applies the batch atomically; it is durable (WAL synced) when this returns.
  Status WriteSynced(rocksdb::WriteBatch* batch);

 private:
  MetaStore(std::unique_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db)
      : env_(std::move(env)), db_(std::move(db)) {}
  std::unique_ptr<rocksdb::Env> env_;  // null: the default; must outlive db_
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<bool> write_failed_{false};
};

Status FromRocks(const rocksdb::Status& st, std::string_view what);

}  // namespace cairn::namenode
