// The file-backed ReplicaWriter and ReplicaReader of FsBlockStore. Internal to the store:
// others get them through the BlockStore interface.
//
// A writer belongs to the thread that receives the replica's data (its IoEngine is that
// thread's); SetBytesAcked may come from the ack thread. A reader belongs to one thread.
#pragma once

#include <memory>

#include "datanode/store/fs_block_store.h"
#include "datanode/store/io_engine.h"

namespace cairn::datanode {

class FsReplicaWriter final : public ReplicaWriter {
 public:
  // Takes ownership of the two descriptors; the replica's writer slot is already claimed.
  FsReplicaWriter(FsBlockStore* store, std::shared_ptr<FsReplica> replica, ReplicaInfo info, int data_fd,
                  int meta_fd, uint32_t last_crc);
  ~FsReplicaWriter() override;

  const ReplicaInfo& replica() const override { return info_; }
  uint64_t bytes_on_disk() const override { return bytes_on_disk_; }
  uint32_t last_chunk_crc() const override { return last_crc_; }
  Status StartWrite(uint64_t offset, std::span<const uint8_t> data, uint64_t first_chunk,
                    std::span<const uint8_t> crcs, uint32_t last_crc) override;
  Status FinishWrite() override;
  Status Sync() override;
  void SetBytesAcked(uint64_t bytes) override;
  Result<ReplicaInfo> Finalize() override;
  Result<ReplicaInfo> ConvertToRbw() override;
  void Abort() override;
  void SetInterrupt(std::function<void()> interrupt) override;

 private:
  Status SyncData();  // fdatasync of data and meta
  Result<ReplicaInfo> Complete(ReplicaState to);
  void CloseFiles();

  FsBlockStore* const store_;
  const std::shared_ptr<FsReplica> replica_;
  ReplicaInfo info_;
  int data_fd_;
  int meta_fd_;
  uint64_t bytes_on_disk_;
  uint32_t last_crc_;
  IoEngine* engine_ = nullptr;  // the writing thread's, fixed at the first write
  IoBatch batch_;
  bool in_flight_ = false;
  uint64_t pending_end_ = 0;       // bytes_on_disk once the write in flight completes
  uint32_t pending_last_crc_ = 0;
  bool done_ = false;              // finalized, converted or aborted
  bool dir_synced_ = false;        // the replica's directory entry synced by an hsync
};

class FsReplicaReader final : public ReplicaReader {
 public:
  FsReplicaReader(FsBlockStore* store, ReplicaInfo info, Volume* volume, int data_fd, int meta_fd);
  ~FsReplicaReader() override;

  const ReplicaInfo& replica() const override { return info_; }
  Status StartRead(int slot, uint64_t offset, std::span<uint8_t> data, uint64_t first_chunk,
                   std::span<uint8_t> crcs) override;
  Status FinishRead(int slot) override;

 private:
  FsBlockStore* const store_;
  const ReplicaInfo info_;
  Volume* const volume_;
  const int data_fd_;
  const int meta_fd_;
  IoEngine* engine_ = nullptr;
  IoBatch batches_[kSlots];
};

}  // namespace cairn::datanode
