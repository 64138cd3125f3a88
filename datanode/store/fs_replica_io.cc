#include "datanode/store/fs_replica_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace cairn::datanode {

FsReplicaWriter::FsReplicaWriter(FsBlockStore* store, std::shared_ptr<FsReplica> replica, ReplicaInfo info,
                                 int data_fd, int meta_fd, uint32_t last_crc)
    : store_(store),
      replica_(std::move(replica)),
      info_(std::move(info)),
      data_fd_(data_fd),
      meta_fd_(meta_fd),
      bytes_on_disk_(info_.bytes_on_disk),
      last_crc_(last_crc) {}

FsReplicaWriter::~FsReplicaWriter() {
  if (!done_) Abort();
}

void FsReplicaWriter::CloseFiles() {
  if (data_fd_ >= 0) ::close(data_fd_);
  if (meta_fd_ >= 0) ::close(meta_fd_);
  data_fd_ = meta_fd_ = -1;
}

Status FsReplicaWriter::StartWrite(uint64_t offset, std::span<const uint8_t> data, uint64_t first_chunk,
                                   std::span<const uint8_t> crcs, uint32_t last_crc) {
  if (done_) return Aborted("{} is no longer open for writing", info_.Name());
  RETURN_IF_ERROR(FinishWrite());
  if (offset != bytes_on_disk_)
    return Internal("{}: write at {} but {} bytes are on disk", info_.Name(), offset, bytes_on_disk_);
  uint64_t end = offset + data.size();
  uint64_t growth = (end - bytes_on_disk_) + (MetaFileSize(info_.checksum, end) - MetaFileSize(info_.checksum, bytes_on_disk_));
  RETURN_IF_ERROR(store_->ReserveSpace(replica_->volume, growth));
  if (engine_ == nullptr) engine_ = &store_->ThreadEngine();
  batch_.Clear();
  if (!data.empty()) batch_.AddWrite(data_fd_, data.data(), data.size(), offset);
  if (!crcs.empty()) batch_.AddWrite(meta_fd_, crcs.data(), crcs.size(), MetaOffsetOfChunk(first_chunk));
  Status st = engine_->Submit(batch_);
  if (!st.ok()) {
    store_->ReleaseSpace(replica_->volume, growth);
    store_->HandleIoError(replica_->volume, st);
    return st.WithContext(info_.Name());
  }
  in_flight_ = true;
  pending_end_ = end;
  pending_last_crc_ = last_crc;
  return Status::OK();
}

Status FsReplicaWriter::FinishWrite() {
  if (!in_flight_) return Status::OK();
  in_flight_ = false;
  Status st = engine_->Wait(batch_);
  if (!st.ok()) {
    // Part of the write may have landed: count what the files really hold now.
    struct stat data_st {}, meta_st {};
    if (::fstat(data_fd_, &data_st) == 0 && ::fstat(meta_fd_, &meta_st) == 0) {
      int64_t actual = data_st.st_size + meta_st.st_size;
      int64_t counted = static_cast<int64_t>(pending_end_ + MetaFileSize(info_.checksum, pending_end_));
      store_->AdjustSpace(replica_->volume, actual - counted);
    }
    store_->HandleIoError(replica_->volume, st);
    return st.WithContext(info_.Name());
  }
  bytes_on_disk_ = pending_end_;
  last_crc_ = pending_last_crc_;
  replica_->bytes_on_disk.store(bytes_on_disk_, std::memory_order_release);
  return Status::OK();
}

Status FsReplicaWriter::SyncData() {
  RETURN_IF_ERROR(FinishWrite());
  if (engine_ == nullptr) engine_ = &store_->ThreadEngine();
  batch_.Clear();
  batch_.AddFdatasync(data_fd_);
  batch_.AddFdatasync(meta_fd_);
  Status st = engine_->Run(batch_);
  if (!st.ok()) store_->HandleIoError(replica_->volume, st);
  return st;
}

Status FsReplicaWriter::Sync() {
  RETURN_IF_ERROR(SyncData());
  // This writer made (or renamed) the replica's files: their names are durable only once
  // the directory is synced too. Once per writer is enough: names change between writers.
  if (dir_synced_) return Status::OK();
  Status st = store_->SyncReplicaDir(replica_);
  if (!st.ok()) {
    store_->HandleIoError(replica_->volume, st);
    return st.WithContext(info_.Name());
  }
  dir_synced_ = true;
  return Status::OK();
}

void FsReplicaWriter::SetBytesAcked(uint64_t bytes) {
  // Acks arrive in order; never move the readable length backwards.
  uint64_t cur = replica_->bytes_acked.load(std::memory_order_relaxed);
  while (bytes > cur && !replica_->bytes_acked.compare_exchange_weak(cur, bytes, std::memory_order_release)) {
  }
}

Result<ReplicaInfo> FsReplicaWriter::Complete(ReplicaState to) {
  if (done_) return Aborted("{} is no longer open for writing", info_.Name());
  Status st = FinishWrite();
  // A finalized replica is on stable storage before anyone hears of it (durable close).
  // (The rename below syncs the directories.)
  if (st.ok() && to == ReplicaState::kFinalized && store_->sync_on_close()) st = SyncData();
  if (!st.ok()) {
    Abort();
    return st;
  }
  CloseFiles();
  auto info = store_->FinalizeWriter(replica_, to);
  if (!info.ok()) {
    Abort();
    return info.status();
  }
  done_ = true;
  return info;
}

Result<ReplicaInfo> FsReplicaWriter::Finalize() { return Complete(ReplicaState::kFinalized); }

Result<ReplicaInfo> FsReplicaWriter::ConvertToRbw() {
  if (info_.state != ReplicaState::kTemporary) return Internal("{} is not a temporary replica", info_.Name());
  return Complete(ReplicaState::kRbw);
}

void FsReplicaWriter::Abort() {
  if (done_) return;
  done_ = true;
  if (in_flight_) {
    in_flight_ = false;
    (void)engine_->Wait(batch_);
  }
  CloseFiles();
  store_->ReleaseWriter(replica_, /*delete_files=*/info_.state == ReplicaState::kTemporary);
}

void FsReplicaWriter::SetInterrupt(std::function<void()> interrupt) { store_->SetInterrupt(replica_, std::move(interrupt)); }

FsReplicaReader::FsReplicaReader(FsBlockStore* store, ReplicaInfo info, Volume* volume, int data_fd, int meta_fd)
    : store_(store), info_(std::move(info)), volume_(volume), data_fd_(data_fd), meta_fd_(meta_fd) {}

FsReplicaReader::~FsReplicaReader() {
  for (auto& b : batches_) {
    if (b.in_flight()) (void)engine_->Wait(b);
  }
  ::close(data_fd_);
  ::close(meta_fd_);
}

Status FsReplicaReader::StartRead(int slot, uint64_t offset, std::span<uint8_t> data, uint64_t first_chunk,
                                  std::span<uint8_t> crcs) {
  if (slot < 0 || slot >= kSlots) return Internal("read slot {} out of range", slot);
  IoBatch& b = batches_[slot];
  if (b.in_flight()) return Internal("read slot {} is busy", slot);
  if (engine_ == nullptr) engine_ = &store_->ThreadEngine();
  b.Clear();
  if (!data.empty()) b.AddRead(data_fd_, data.data(), data.size(), offset);
  if (!crcs.empty()) b.AddRead(meta_fd_, crcs.data(), crcs.size(), MetaOffsetOfChunk(first_chunk));
  Status st = engine_->Submit(b);
  if (!st.ok()) store_->HandleIoError(volume_, st);
  return st;
}

Status FsReplicaReader::FinishRead(int slot) {
  if (slot < 0 || slot >= kSlots) return Internal("read slot {} out of range", slot);
  IoBatch& b = batches_[slot];
  if (!b.in_flight()) return Status::OK();
  Status st = engine_->Wait(b);
  if (!st.ok()) {
    store_->HandleIoError(volume_, st);
    return st.WithContext(info_.Name());
  }
  for (int i = 0; i < b.size(); ++i) {
    const IoOp& op = b.op(i);
    if (static_cast<size_t>(op.result) < op.len)
      return Corruption("{}: {} file ends at {} before {} bytes could be read", info_.Name(),
                        op.fd == data_fd_ ? "data" : "meta", op.offset + op.result, op.offset + op.len);
  }
  return Status::OK();
}

}  // namespace cairn::datanode
