// FsBlockStore: the BlockStore on local data directories (one Volume each), HDFS's on-disk
// layout (block_layout.h, meta_file.h) and the thread's IoEngine for data and meta I/O.
//
// Ownership: the store owns its volumes and the replica map; writers and readers hold a
// shared_ptr to their replica's record and a pointer to the store, which must outlive them.
// Locking: mu_ guards the map and every record's non-atomic fields; it is never held across
// disk I/O (files are renamed and opened outside it, and readers retry when a concurrent
// finalize moved the files). Lengths of a replica being written are atomics its writer
// updates without the lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "datanode/store/block_layout.h"
#include "datanode/store/block_store.h"
#include "datanode/store/disk_faults.h"
#include "datanode/store/io_engine.h"
#include "datanode/store/volume.h"

namespace cairn::datanode {

struct FsBlockStoreOptions {
  std::vector<std::string> data_dirs;       // one volume each
  uint64_t capacity_bytes = 0;              // 0: the volumes' real size; else the node's capacity
  uint64_t reserved_bytes = 0;              // kept free on each volume
  IoEngineKind io_engine = IoEngineKind::kUring;
  int writer_stop_timeout_ms = 30000;       // how long a recovery or delete waits for a writer to stop
  // Finalizing a replica fdatasyncs its data and meta files and fsyncs the directories of
  // the rename, so an acknowledged close survives a power cut (HDFS's
  // dfs.datanode.synconclose, but on by default). Off: the kernel writes them back later.
  bool sync_on_close = true;
  // TESTS ONLY: the disk fault seam (disk_faults.h) applied to every replica's I/O.
  std::shared_ptr<const DiskFaults> disk_faults;
};

// One replica's record in the map.
struct FsReplica {
  explicit FsReplica(uint64_t id) : block_id(id) {}
  const uint64_t block_id;
  // Guarded by FsBlockStore::mu_.
  uint64_t gen_stamp = 0;
  ReplicaState state = ReplicaState::kFinalized;
  Volume* volume = nullptr;           // fixed once the replica's files exist
  std::string dir;                    // directory holding blk_<id> and its meta file
  ChecksumSpec checksum;
  bool has_writer = false;            // a ReplicaWriter owns the replica
  std::function<void()> interrupt;    // stops that writer's thread
  bool removed = false;               // no longer in the map (deleted or volume failed)
  bool corrupt = false;               // failed verification; never served again
  uint64_t recovery_id = 0;           // the latest lease recovery that claimed the replica
  // Updated by the writer without the lock.
  std::atomic<uint64_t> bytes_on_disk{0};
  std::atomic<uint64_t> bytes_acked{0};

  std::string data_path() const;
  std::string meta_path() const;
};

class FsBlockStore final : public BlockStore {
 public:
  // Opens (creating when needed) every data dir, agrees on one datanode uuid, scans the
  // replicas (repairing what a crash left half-moved) and fills the map. Data dirs that
  // cannot be opened are reported as failed volumes; at least one must work.
  static Result<std::unique_ptr<FsBlockStore>> Open(FsBlockStoreOptions options, ReplicaListener* listener);
  ~FsBlockStore() override;

  const std::string& datanode_uuid() const override { return datanode_uuid_; }
  Status AdoptNamespace(const std::string& cluster_id, const std::string& block_pool_id) override;

  Result<std::unique_ptr<ReplicaWriter>> CreateRbw(uint64_t block_id, uint64_t gen_stamp,
                                                   const ChecksumSpec& checksum) override;
  Result<std::unique_ptr<ReplicaWriter>> CreateTemporary(uint64_t block_id, uint64_t gen_stamp,
                                                         const ChecksumSpec& checksum) override;
  Result<std::unique_ptr<ReplicaWriter>> Append(uint64_t block_id, uint64_t gen_stamp, uint64_t new_gen_stamp,
                                                uint64_t expected_length) override;
  Result<std::unique_ptr<ReplicaWriter>> RecoverRbw(uint64_t block_id, uint64_t gen_stamp, uint64_t new_gen_stamp,
                                                    uint64_t min_bytes, uint64_t max_bytes) override;
  Result<std::unique_ptr<ReplicaWriter>> RecoverAppend(uint64_t block_id, uint64_t gen_stamp,
                                                       uint64_t new_gen_stamp, uint64_t expected_length) override;
  Result<ReplicaInfo> RecoverClose(uint64_t block_id, uint64_t gen_stamp, uint64_t new_gen_stamp,
                                   uint64_t expected_length) override;

  Result<std::unique_ptr<ReplicaReader>> OpenForRead(uint64_t block_id, uint64_t min_gen_stamp) override;
  Result<ReplicaInfo> GetReplica(uint64_t block_id) const override;
  Result<LocalReplicaFiles> GetLocalFiles(uint64_t block_id, uint64_t min_gen_stamp) const override;
  std::vector<ReplicaInfo> ListReplicas() const override;
  Status Delete(uint64_t block_id, uint64_t gen_stamp) override;
  Status MarkCorrupt(uint64_t block_id, uint64_t gen_stamp, const std::string& reason) override;
  Result<ReplicaInfo> InitReplicaRecovery(uint64_t block_id, uint64_t gen_stamp, uint64_t recovery_id) override;
  Result<ReplicaInfo> UpdateReplicaUnderRecovery(uint64_t block_id, uint64_t recovery_id, uint64_t new_length,
                                                 bool truncate) override;
  std::vector<VolumeStatus> Volumes() const override;
  Status CheckVolume(int index) override;

  // --- for FsReplicaWriter / FsReplicaReader ---
  // The calling thread's engine for replica data and meta I/O (wrapped by the disk fault
  // seam when the options name one).
  IoEngine& ThreadEngine() const;
  bool sync_on_close() const { return options_.sync_on_close; }
  // How a replica's renames are made: durable (directories synced) with sync_on_close, so a
  // stamp the namenode records after a recovery or an append survives a power cut too.
  MoveDurability rename_durability() const {
    return options_.sync_on_close ? MoveDurability::kDurable : MoveDurability::kVolatile;
  }
  // Counts `bytes` more on the volume; kNoSpace (and nothing counted) when the datanode's
  // configured capacity would be exceeded.
  Status ReserveSpace(Volume* volume, uint64_t bytes);
  void ReleaseSpace(Volume* volume, uint64_t bytes);
  // Corrects the count by delta bytes (either sign), without a capacity check.
  void AdjustSpace(Volume* volume, int64_t delta);
  // After an I/O error on a volume: probes it and takes it out of service when it fails.
  void HandleIoError(Volume* volume, const Status& error);
  Result<ReplicaInfo> FinalizeWriter(const std::shared_ptr<FsReplica>& replica, ReplicaState to);
  // fsync of the directory a replica's files are in now.
  Status SyncReplicaDir(const std::shared_ptr<FsReplica>& replica);
  void ReleaseWriter(const std::shared_ptr<FsReplica>& replica, bool delete_files);
  void SetInterrupt(const std::shared_ptr<FsReplica>& replica, std::function<void()> interrupt);

 private:
  explicit FsBlockStore(FsBlockStoreOptions options, ReplicaListener* listener)
      : options_(std::move(options)), listener_(listener) {}

  Status OpenVolumes();
  Status LoadVolume(Volume* volume);
  Result<std::unique_ptr<ReplicaWriter>> CreateNew(uint64_t block_id, uint64_t gen_stamp,
                                                   const ChecksumSpec& checksum, ReplicaState state);
  // Picks a live volume with room, round-robin.
  Result<Volume*> ChooseVolume();
  void FailVolume(Volume* volume, const std::string& reason);

  // Stops the replica's writer (interrupt, then wait up to writer_stop_timeout_ms).
  Status StopWriterLocked(std::unique_lock<std::mutex>& lock, const std::shared_ptr<FsReplica>& replica);
  // Looks up blk_<id>; kNotFound when absent.
  Result<std::shared_ptr<FsReplica>> FindLocked(uint64_t block_id) const;
  static ReplicaInfo SnapshotLocked(const FsReplica& replica);
  // Opens a writer on a replica whose files are in place and whose has_writer is set.
  Result<std::unique_ptr<ReplicaWriter>> OpenWriter(const std::shared_ptr<FsReplica>& replica);
  // Shared by Append and RecoverAppend: a finalized replica moves to rbw with a new stamp.
  Result<std::unique_ptr<ReplicaWriter>> ReopenFinalized(const std::shared_ptr<FsReplica>& replica,
                                                         uint64_t new_gen_stamp);
  // Truncates an RBW replica to `length` bytes (recomputing a partial last CRC) and renames
  // its meta file to new_gen_stamp. The caller holds the writer slot.
  Status TruncateAndBump(const std::shared_ptr<FsReplica>& replica, uint64_t length, uint64_t new_gen_stamp);
  // Checks shared by the recoveries (HDFS's recoverCheck), taking the writer slot.
  Result<std::shared_ptr<FsReplica>> ClaimForRecovery(uint64_t block_id, uint64_t gen_stamp, uint64_t new_gen_stamp,
                                                      uint64_t expected_length);
  void Unclaim(const std::shared_ptr<FsReplica>& replica);

  const FsBlockStoreOptions options_;
  ReplicaListener* const listener_;  // may be null
  std::string datanode_uuid_;
  std::vector<std::unique_ptr<Volume>> volumes_;     // fixed after Open
  std::vector<VolumeStatus> unopened_volumes_;       // data dirs that failed to open, fixed after Open
  std::atomic<uint64_t> next_volume_{0};
  std::atomic<uint64_t> total_used_{0};              // bytes over all live volumes

  mutable std::mutex mu_;
  std::condition_variable writer_released_;          // signalled (under mu_) when a writer lets go
  std::unordered_map<uint64_t, std::shared_ptr<FsReplica>> replicas_;  // guarded by mu_
};

}  // namespace cairn::datanode
