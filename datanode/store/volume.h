// Volume: one data directory of the datanode. Knows its storage id (from VERSION), the
// bytes of block and meta files it holds (kept up to date by the block store as files grow
// and shrink), the free space of its file system, and whether it has been taken out of
// service after an I/O failure. It does no block I/O itself.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "datanode/store/storage_version.h"

namespace cairn::datanode {

class Volume {
 public:
  // Creates current/{finalized,rbw,tmp} when missing and empties tmp/. `version` is what
  // VERSION holds (or will hold: it is written when the file is missing or differs).
  static Result<std::unique_ptr<Volume>> Open(int index, const std::string& root, StorageVersion version,
                                               uint64_t reserved_bytes);

  int index() const { return index_; }
  const std::string& root() const { return root_; }
  const std::string& storage_id() const { return storage_id_; }
  StorageVersion version() const;
  // Records the namespace the volume now belongs to (rewrites VERSION when it changed).
  // kInvalidArgument when the volume already belongs to another cluster.
  Status AdoptNamespace(const std::string& cluster_id, const std::string& block_pool_id);

  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string failure() const;
  // Takes the volume out of service; false when it already was.
  bool MarkFailed(const std::string& reason);

  uint64_t dfs_used() const { return dfs_used_.load(std::memory_order_relaxed); }
  void AddUsed(int64_t delta) { dfs_used_.fetch_add(static_cast<uint64_t>(delta), std::memory_order_relaxed); }

  struct Space {
    uint64_t capacity = 0;   // file system size minus the reserve
    uint64_t available = 0;  // free space minus the reserve
  };
  Result<Space> DiskSpace() const;

  // Probes the directory: current/ exists and a small file can be written, synced and
  // removed. A volume that fails this after an I/O error is taken out of service; running
  // out of descriptors, memory or space is not a failure of the volume.
  Status Check() const;

 private:
  Volume(int index, std::string root, StorageVersion version, uint64_t reserved)
      : index_(index), root_(std::move(root)), storage_id_(version.storage_id), version_(std::move(version)),
        reserved_(reserved) {}

  const int index_;
  const std::string root_;
  const std::string storage_id_;
  mutable std::mutex mu_;
  StorageVersion version_;   // guarded by mu_
  std::string failure_;      // guarded by mu_
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> dfs_used_{0};
  const uint64_t reserved_;
};

}  // namespace cairn::datanode
