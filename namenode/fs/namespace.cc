#include "namenode/fs/namespace.h"

#include <unistd.h>

#include <random>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "namenode/store/keys.h"

namespace cairn::namenode {

thread_local DeferredDurability* DeferredDurability::current_ = nullptr;

namespace {
std::string RandomHex(int bytes) {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < bytes; ++i) out += fmt::format("{:02x}", rd() & 0xff);
  return out;
}

Result<uint64_t> MetaCounter(MetaStore& store, std::string_view name, uint64_t fallback) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetMeta(name));
  if (!value) return fallback;
  uint64_t v = 0;
  if (!DecodeU64(*value, &v)) return Corruption("counter {} in the namespace store is malformed", name);
  return v;
}
}  // namespace

Namespace::Namespace(std::unique_ptr<MetaStore> store, std::function<void(const Status&)> on_store_failure)
    : store_(std::move(store)),
      commit_([this](rocksdb::WriteBatch* batch) { return store_->WriteSynced(batch); }, std::move(on_store_failure)) {}

Namespace::~Namespace() = default;

Result<std::unique_ptr<Namespace>> Namespace::Open(const NamespaceOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<MetaStore> store, MetaStore::Open(options.name_dir, options.fault_sync_fail_file));
  std::unique_ptr<Namespace> ns(new Namespace(std::move(store), options.on_store_failure));
  RETURN_IF_ERROR(ns->Load(options));
  return ns;
}

Status Namespace::Format(const NamespaceOptions& options) {
  InodeRecord root;
  root.set_id(kRootInodeId);
  root.set_parent_id(0);
  root.set_name("");
  root.set_type(InodeRecord::DIRECTORY);
  root.set_permission(0755);
  root.set_owner(options.superuser);
  root.set_group(options.supergroup);
  root.set_mtime(WallMillis());
  root.set_atime(0);
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  std::random_device rd;
  std::string pool = fmt::format("BP-{}-{}-{}", rd() & 0x7fffffff, host, WallMillis());
  std::string cluster = "CID-" + RandomHex(16);
  rocksdb::WriteBatch batch;
  batch.Put(InodeKey(kRootInodeId), root.SerializeAsString());
  batch.Put(MetaKey(kMetaNextInodeId), EncodeU64(kRootInodeId + 1));
  batch.Put(MetaKey(kMetaNextBlockId), EncodeU64(kFirstBlockId));
  batch.Put(MetaKey(kMetaGenStamp), EncodeU64(kFirstGenStamp - 1));
  batch.Put(MetaKey(kMetaBlockPoolId), pool);
  batch.Put(MetaKey(kMetaClusterId), cluster);
  RETURN_IF_ERROR(store_->WriteSynced(&batch));
  spdlog::info("formatted a new namespace in {} (block pool {}, cluster {})", options.name_dir, pool, cluster);
  return Status::OK();
}

Status Namespace::Load(const NamespaceOptions& options) {
  ASSIGN_OR_RETURN(std::optional<std::string> pool, store_->GetMeta(kMetaBlockPoolId));
  if (!pool) {
    RETURN_IF_ERROR(Format(options));
    ASSIGN_OR_RETURN(pool, store_->GetMeta(kMetaBlockPoolId));
  }
  block_pool_id_ = pool.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> cluster, store_->GetMeta(kMetaClusterId));
  cluster_id_ = cluster.value_or("");

  std::unique_lock lock(mu_);
  uint64_t max_inode = kRootInodeId, max_block = kFirstBlockId - 1, max_stamp = kFirstGenStamp - 1;
  RETURN_IF_ERROR(store_->LoadInodes([&](InodeRecord&& rec) {
    max_inode = std::max(max_inode, rec.id());
    for (const auto& b : rec.blocks()) {
      max_block = std::max(max_block, b.block_id());
      max_stamp = std::max(max_stamp, b.gen_stamp());
    }
    return tree_.Insert(std::move(rec));
  }));
  RETURN_IF_ERROR(store_->LoadDirEntries(
      [&](uint64_t parent, std::string_view name, uint64_t child) { return tree_.Link(parent, name, child); }));
  ASSIGN_OR_RETURN(size_t dropped, tree_.FinishLoad());
  // Counters are written with every change that uses them; the max() guards against a
  // store written by a build that forgot one.
  ASSIGN_OR_RETURN(counters_.next_inode_id, MetaCounter(*store_, kMetaNextInodeId, max_inode + 1));
  ASSIGN_OR_RETURN(counters_.next_block_id, MetaCounter(*store_, kMetaNextBlockId, max_block + 1));
  ASSIGN_OR_RETURN(counters_.gen_stamp, MetaCounter(*store_, kMetaGenStamp, max_stamp));
  counters_.next_inode_id = std::max(counters_.next_inode_id, max_inode + 1);
  counters_.next_block_id = std::max(counters_.next_block_id, max_block + 1);
  counters_.gen_stamp = std::max(counters_.gen_stamp, max_stamp);
  spdlog::info("loaded namespace: {} inodes ({} unreachable ignored), block pool {}", tree_.size(), dropped,
               block_pool_id_);
  return Status::OK();
}

Status Namespace::Mutate(const std::function<Status(Mutation&)>& f) {
  uint64_t ticket = 0;
  Status result;
  std::vector<std::function<void()>> after;
  {
    std::unique_lock lock(mu_);
    if (!failed_.ok()) return failed_;
    Mutation m(tree_, counters_);
    result = f(m);
    if (m.empty()) {
      // Nothing new to write, but what f saw may still be on its way to disk.
      ticket = commit_.LastTicket();
    } else {
      // Serialised here, written and synced by the group commit after the lock is gone.
      ticket = commit_.Enqueue(m.FinishBatch());
      after = m.TakeAfterDurable();
    }
  }
  if (DeferredDurability* deferred = DeferredDurability::Current()) {
    deferred->Note(ticket, std::move(after));
    return result;
  }
  Status st = commit_.WaitDurable(ticket);
  if (!st.ok()) {
    std::unique_lock lock(mu_);
    failed_ = st;
    return st;
  }
  for (auto& fn : after) fn();
  return result;
}

void Namespace::WhenDurable(DeferredDurability& scope, std::function<void(const Status&)> done) {
  commit_.WhenDurable(scope.ticket(), [this, after = scope.TakeAfterDurable(), done = std::move(done)](const Status& st) {
    if (!st.ok()) {
      std::unique_lock lock(mu_);
      failed_ = st;
    } else {
      for (auto& fn : after) fn();
    }
    done(st);
  });
}

size_t Namespace::inode_count() const {
  std::shared_lock lock(mu_);
  return tree_.size();
}

}  // namespace cairn::namenode
