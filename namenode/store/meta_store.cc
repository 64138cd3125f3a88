#include "namenode/store/meta_store.h"

#include <filesystem>

#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include "namenode/store/keys.h"
#include "namenode/store/sync_fault_env.h"

namespace cairn::namenode {

Status FromRocks(const rocksdb::Status& st, std::string_view what) {
  if (st.ok()) return Status::OK();
  if (st.IsCorruption()) return Corruption("{}: {}", what, st.ToString());
  if (st.IsNoSpace()) return NoSpace("{}: {}", what, st.ToString());
  return IoError("{}: {}", what, st.ToString());
}

Result<std::unique_ptr<MetaStore>> MetaStore::Open(const std::string& dir, const std::string& fault_sync_fail_file) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create name dir {}: {}", dir, ec.message());
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  // The WAL is the durability mechanism: every mutation lands there before it is acknowledged.
  options.manual_wal_flush = false;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.max_background_jobs = 2;
  options.write_buffer_size = 64 << 20;
  options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 * 1024;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::unique_ptr<rocksdb::Env> env;
  if (!fault_sync_fail_file.empty()) {
    env = NewSyncFaultEnv(fault_sync_fail_file);
    options.env = env.get();
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir, &raw);
  if (!st.ok()) return FromRocks(st, "opening namespace store " + dir);
  return std::unique_ptr<MetaStore>(new MetaStore(std::move(env), std::unique_ptr<rocksdb::DB>(raw)));
}

MetaStore::~MetaStore() {
  if (db_) {
    // After a failed write the WAL is in an error state that RocksDB will not sync again
    // (its debug builds assert); what was acknowledged is already on disk.
    if (!write_failed_.load()) (void)db_->SyncWAL();
    (void)db_->Close();
  }
}

Status MetaStore::LoadInodes(const std::function<Status(InodeRecord&&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix(1, kInodePrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    uint64_t id = 0;
    if (!DecodeInodeKey(it->key().ToStringView(), &id)) return Corruption("malformed inode key in the namespace store");
    InodeRecord rec;
    if (!rec.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) || rec.id() != id)
      return Corruption("inode record {} does not parse", id);
    RETURN_IF_ERROR(fn(std::move(rec)));
  }
  return FromRocks(it->status(), "reading inodes");
}

Status MetaStore::LoadDirEntries(const std::function<Status(uint64_t, std::string_view, uint64_t)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix(1, kDirEntryPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    uint64_t parent = 0, child = 0;
    std::string_view name;
    if (!DecodeDirEntryKey(it->key().ToStringView(), &parent, &name) || !DecodeU64(it->value().ToStringView(), &child))
      return Corruption("malformed directory entry in the namespace store");
    RETURN_IF_ERROR(fn(parent, name, child));
  }
  return FromRocks(it->status(), "reading directory entries");
}

Result<std::optional<std::string>> MetaStore::GetMeta(std::string_view name) {
  std::string value;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), MetaKey(name), &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  if (!st.ok()) return FromRocks(st, "reading " + std::string(name));
  return std::optional<std::string>(std::move(value));
}

Status MetaStore::WriteSynced(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions options;
  options.sync = true;
  Status st = FromRocks(db_->Write(options, batch), "writing the namespace store");
  if (!st.ok()) write_failed_ = true;
  return st;
}

}  // namespace cairn::namenode
