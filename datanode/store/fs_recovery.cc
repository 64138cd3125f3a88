// FsBlockStore: append, the pipeline recoveries (HDFS FsDatasetImpl's append, recoverRbw,
// recoverAppend and recoverClose) and the replica side of lease recovery
// (initReplicaRecovery, updateReplicaUnderRecovery).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "common/endian.h"
#include "datanode/store/block_layout.h"
#include "datanode/store/fs_block_store.h"
#include "datanode/store/volume_scanner.h"

namespace cairn::datanode {

void FsBlockStore::Unclaim(const std::shared_ptr<FsReplica>& replica) {
  std::lock_guard lock(mu_);
  replica->has_writer = false;
  replica->interrupt = nullptr;
  writer_released_.notify_all();
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::Append(uint64_t block_id, uint64_t gen_stamp,
                                                            uint64_t new_gen_stamp, uint64_t expected_length) {
  std::shared_ptr<FsReplica> replica;
  {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(replica, FindLocked(block_id));
    if (replica->gen_stamp != gen_stamp)
      return NotFound("Replica not found for {}: the stored replica is {}", BlockName(block_id, gen_stamp),
                      BlockName(block_id, replica->gen_stamp));
    if (replica->state != ReplicaState::kFinalized)
      return InvalidArgument("cannot append to {}: it is {}, not FINALIZED", BlockName(block_id, gen_stamp),
                             ReplicaStateName(replica->state));
    // Equal stamps are allowed (HDFS does; some clients append without a new stamp).
    if (new_gen_stamp < gen_stamp)
      return InvalidArgument("cannot append to {} with the older stamp {}", BlockName(block_id, gen_stamp), new_gen_stamp);
    if (replica->bytes_on_disk != expected_length)
      return Corruption("corrupted replica {} with a length of {}, expected length is {}",
                        BlockName(block_id, gen_stamp), replica->bytes_on_disk.load(), expected_length);
    if (replica->has_writer) return Aborted("{} is busy with another append or recovery", BlockName(block_id, gen_stamp));
    replica->has_writer = true;
  }
  return ReopenFinalized(replica, new_gen_stamp);
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::ReopenFinalized(const std::shared_ptr<FsReplica>& replica,
                                                                     uint64_t new_gen_stamp) {
  std::string from;
  uint64_t gs;
  Volume* volume;
  {
    std::lock_guard lock(mu_);
    from = replica->dir;
    gs = replica->gen_stamp;
    volume = replica->volume;
  }
  std::string to = RbwDir(volume->root());
  // Durable before the append goes on: after a power cut the namenode knows the new stamp.
  Status st = MoveReplicaFiles(from, to, replica->block_id, gs, new_gen_stamp, rename_durability());
  if (!st.ok()) {
    Unclaim(replica);
    HandleIoError(volume, st);
    return st;
  }
  {
    std::lock_guard lock(mu_);
    replica->dir = to;
    replica->gen_stamp = new_gen_stamp;
    replica->state = ReplicaState::kRbw;
    replica->bytes_acked = replica->bytes_on_disk.load();
  }
  auto writer = OpenWriter(replica);
  if (!writer.ok()) {
    Unclaim(replica);
    HandleIoError(volume, writer.status());
    return writer.status();
  }
  if (listener_) listener_->OnReceiving((*writer)->replica());
  return writer;
}

Status FsBlockStore::TruncateAndBump(const std::shared_ptr<FsReplica>& replica, uint64_t length,
                                     uint64_t new_gen_stamp) {
  std::string dir, data_path, meta_path;
  uint64_t gs, on_disk;
  ChecksumSpec checksum;
  Volume* volume;
  {
    std::lock_guard lock(mu_);
    dir = replica->dir;
    data_path = replica->data_path();
    meta_path = replica->meta_path();
    gs = replica->gen_stamp;
    on_disk = replica->bytes_on_disk;
    checksum = replica->checksum;
    volume = replica->volume;
  }
  if (on_disk > length) {
    int data_fd = ::open(data_path.c_str(), O_RDWR | O_CLOEXEC);
    int meta_fd = data_fd < 0 ? -1 : ::open(meta_path.c_str(), O_RDWR | O_CLOEXEC);
    Status st;
    if (data_fd < 0 || meta_fd < 0) {
      st = ErrnoError(errno, "open " + (data_fd < 0 ? data_path : meta_path));
    } else if (::ftruncate(data_fd, static_cast<off_t>(length)) != 0 ||
               ::ftruncate(meta_fd, static_cast<off_t>(MetaFileSize(checksum, length))) != 0) {
      st = ErrnoError(errno, "truncate " + BlockName(replica->block_id, gs));
    } else if (length % checksum.bytes_per_checksum != 0) {
      // The last chunk is now partial: its CRC must cover just the bytes kept.
      uint64_t chunk = length / checksum.bytes_per_checksum;
      auto crc = ChunkCrcFromFile(data_fd, checksum, chunk * checksum.bytes_per_checksum, length);
      if (!crc.ok()) {
        st = crc.status();
      } else {
        uint8_t be[kCrcSize];
        StoreBigEndian32(be, *crc);
        if (::pwrite(meta_fd, be, sizeof be, static_cast<off_t>(MetaOffsetOfChunk(chunk))) != sizeof be)
          st = ErrnoError(errno ? errno : EIO, "write " + meta_path);
      }
    }
    if (data_fd >= 0) ::close(data_fd);
    if (meta_fd >= 0) ::close(meta_fd);
    if (!st.ok()) {
      HandleIoError(volume, st);
      return st;
    }
    ReleaseSpace(volume, (on_disk - length) + (MetaFileSize(checksum, on_disk) - MetaFileSize(checksum, length)));
    spdlog::info("truncated {} from {} to {} bytes for recovery", BlockName(replica->block_id, gs), on_disk, length);
    replica->bytes_on_disk = length;
    replica->bytes_acked = std::min<uint64_t>(replica->bytes_acked, length);
  }
  if (new_gen_stamp != gs) {
    // Durable before the recovery is answered: the namenode records the new stamp.
    Status st = MoveReplicaFiles(dir, dir, replica->block_id, gs, new_gen_stamp, rename_durability());
    if (!st.ok()) {
      HandleIoError(volume, st);
      return st;
    }
    std::lock_guard lock(mu_);
    replica->gen_stamp = new_gen_stamp;
  }
  return Status::OK();
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::RecoverRbw(uint64_t block_id, uint64_t gen_stamp,
                                                                uint64_t new_gen_stamp, uint64_t min_bytes,
                                                                uint64_t max_bytes) {
  std::shared_ptr<FsReplica> replica;
  uint64_t acked;
  {
    std::unique_lock lock(mu_);
    ASSIGN_OR_RETURN(replica, FindLocked(block_id));
    if (replica->state != ReplicaState::kRbw)
      return InvalidArgument("cannot recover {}: it is {}, not RBW", BlockName(block_id, replica->gen_stamp),
                             ReplicaStateName(replica->state));
    if (replica->gen_stamp < gen_stamp || replica->gen_stamp > new_gen_stamp)
      return Aborted("cannot recover {}: its stamp is outside [{}, {}]", BlockName(block_id, replica->gen_stamp),
                     gen_stamp, new_gen_stamp);
    RETURN_IF_ERROR(StopWriterLocked(lock, replica));
    acked = std::min(replica->bytes_acked.load(), replica->bytes_on_disk.load());
    uint64_t received = replica->bytes_on_disk;
    if (acked < min_bytes || received > max_bytes)
      return Aborted("unmatched length replica {}: bytes acked {} and received {} are not in [{}, {}]",
                     BlockName(block_id, replica->gen_stamp), acked, received, min_bytes, max_bytes);
    replica->has_writer = true;
  }
  Status st = TruncateAndBump(replica, acked, new_gen_stamp);
  if (!st.ok()) {
    Unclaim(replica);
    return st;
  }
  auto writer = OpenWriter(replica);
  if (!writer.ok()) {
    Unclaim(replica);
    return writer.status();
  }
  if (listener_) listener_->OnReceiving((*writer)->replica());
  return writer;
}

Result<std::shared_ptr<FsReplica>> FsBlockStore::ClaimForRecovery(uint64_t block_id, uint64_t gen_stamp,
                                                                  uint64_t new_gen_stamp, uint64_t expected_length) {
  std::unique_lock lock(mu_);
  ASSIGN_OR_RETURN(auto replica, FindLocked(block_id));
  if (replica->state != ReplicaState::kFinalized && replica->state != ReplicaState::kRbw)
    return NotFound("cannot recover {}: it is neither FINALIZED nor RBW", BlockName(block_id, replica->gen_stamp));
  if (replica->gen_stamp < gen_stamp || replica->gen_stamp > new_gen_stamp)
    return Aborted("cannot recover {}: its stamp is outside [{}, {}]", BlockName(block_id, replica->gen_stamp),
                   gen_stamp, new_gen_stamp);
  if (replica->state == ReplicaState::kRbw) {
    RETURN_IF_ERROR(StopWriterLocked(lock, replica));
    uint64_t on_disk = replica->bytes_on_disk, acked = replica->bytes_acked;
    if (on_disk != acked)
      return Aborted("RBW replica {}: bytes on disk ({}) and bytes acked ({}) are not the same",
                     BlockName(block_id, replica->gen_stamp), on_disk, acked);
  } else if (replica->has_writer) {
    return Aborted("{} is busy with another append or recovery", BlockName(block_id, replica->gen_stamp));
  }
  if (replica->bytes_on_disk != expected_length)
    return Corruption("corrupted replica {} with a length of {}, expected length is {}",
                      BlockName(block_id, replica->gen_stamp), replica->bytes_on_disk.load(), expected_length);
  replica->has_writer = true;
  return replica;
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::RecoverAppend(uint64_t block_id, uint64_t gen_stamp,
                                                                   uint64_t new_gen_stamp, uint64_t expected_length) {
  ASSIGN_OR_RETURN(auto replica, ClaimForRecovery(block_id, gen_stamp, new_gen_stamp, expected_length));
  ReplicaState state;
  {
    std::lock_guard lock(mu_);
    state = replica->state;
  }
  if (state == ReplicaState::kFinalized) return ReopenFinalized(replica, new_gen_stamp);
  Status st = TruncateAndBump(replica, expected_length, new_gen_stamp);
  if (!st.ok()) {
    Unclaim(replica);
    return st;
  }
  auto writer = OpenWriter(replica);
  if (!writer.ok()) {
    Unclaim(replica);
    return writer.status();
  }
  if (listener_) listener_->OnReceiving((*writer)->replica());
  return writer;
}

Result<ReplicaInfo> FsBlockStore::RecoverClose(uint64_t block_id, uint64_t gen_stamp, uint64_t new_gen_stamp,
                                               uint64_t expected_length) {
  ASSIGN_OR_RETURN(auto replica, ClaimForRecovery(block_id, gen_stamp, new_gen_stamp, expected_length));
  Status st = TruncateAndBump(replica, expected_length, new_gen_stamp);
  if (!st.ok()) {
    Unclaim(replica);
    return st;
  }
  // FinalizeWriter moves an RBW replica to finalized/ (a finalized one stays put) and
  // releases the claim.
  auto info = FinalizeWriter(replica, ReplicaState::kFinalized);
  if (!info.ok()) Unclaim(replica);
  return info;
}

Result<ReplicaInfo> FsBlockStore::InitReplicaRecovery(uint64_t block_id, uint64_t gen_stamp, uint64_t recovery_id) {
  std::unique_lock lock(mu_);
  ASSIGN_OR_RETURN(auto replica, FindLocked(block_id));
  const std::string name = BlockName(block_id, replica->gen_stamp);
  if (replica->state == ReplicaState::kTemporary)
    return NotFound("Replica not found for blk_{}: only a temporary copy is here", static_cast<int64_t>(block_id));
  if (replica->gen_stamp < gen_stamp)
    return Aborted("replica {} is older than the block's stamp {}", name, gen_stamp);
  if (replica->gen_stamp >= recovery_id)
    return Aborted("replica {} is at or past the recovery id {}", name, recovery_id);
  if (replica->recovery_id > recovery_id)
    return Aborted("replica {} belongs to the newer recovery {}, not {}", name, replica->recovery_id, recovery_id);
  if (replica->corrupt) return Corruption("replica {} is corrupt", name);
  // A writer still attached (a zombie client, a pipeline that never noticed) must stop
  // before the recovery decides the length.
  RETURN_IF_ERROR(StopWriterLocked(lock, replica));
  if (replica->has_writer) return Aborted("{} is busy with another recovery", name);
  replica->recovery_id = recovery_id;
  ReplicaInfo info = SnapshotLocked(*replica);
  spdlog::info("recovery {} of {}: {} with {} bytes on disk", recovery_id, info.Name(), ReplicaStateName(info.state),
               info.bytes_on_disk);
  return info;
}

Result<ReplicaInfo> FsBlockStore::UpdateReplicaUnderRecovery(uint64_t block_id, uint64_t recovery_id,
                                                             uint64_t new_length, bool truncate) {
  std::shared_ptr<FsReplica> replica;
  {
    std::unique_lock lock(mu_);
    ASSIGN_OR_RETURN(replica, FindLocked(block_id));
    const std::string name = BlockName(block_id, replica->gen_stamp);
    if (replica->recovery_id != recovery_id)
      return Aborted("replica {} is not under recovery {} (its recovery is {})", name, recovery_id,
                     replica->recovery_id);
    RETURN_IF_ERROR(StopWriterLocked(lock, replica));
    if (replica->has_writer) return Aborted("{} is busy with another recovery", name);
    const uint64_t on_disk = replica->bytes_on_disk;
    if (on_disk < new_length)
      return Aborted("replica {} has {} bytes, fewer than the agreed length {}", name, on_disk, new_length);
    if (replica->state == ReplicaState::kFinalized && on_disk != new_length && !truncate)
      return Aborted("finalized replica {} has {} bytes, not the agreed {}", name, on_disk, new_length);
    replica->has_writer = true;  // the recovery's claim until the replica is final
  }
  Status st = TruncateAndBump(replica, new_length, recovery_id);
  if (st.ok() && options_.sync_on_close) {
    std::string dir;
    {
      std::lock_guard lock(mu_);
      dir = replica->dir;
    }
    st = SyncReplicaFiles(dir, block_id, recovery_id);
    if (!st.ok()) HandleIoError(replica->volume, st);
  }
  if (!st.ok()) {
    Unclaim(replica);
    return st;
  }
  auto info = FinalizeWriter(replica, ReplicaState::kFinalized);
  if (!info.ok()) Unclaim(replica);
  return info;
}

}  // namespace cairn::datanode
