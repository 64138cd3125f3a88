#include "datanode/store/fs_block_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <thread>

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "common/endian.h"
#include "common/flags.h"
#include "datanode/store/block_layout.h"
#include "datanode/store/fs_replica_io.h"
#include "datanode/store/volume_scanner.h"

namespace cairn::datanode {

namespace {
// Free space a volume needs to take a new replica.
constexpr uint64_t kMinFreeForNewReplica = 64 * 1024;

uint64_t FileSizeOrZero(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}
}  // namespace

std::string FsReplica::data_path() const { return dir + "/" + BlockFileName(block_id); }
std::string FsReplica::meta_path() const { return dir + "/" + MetaFileName(block_id, gen_stamp); }

Result<std::unique_ptr<FsBlockStore>> FsBlockStore::Open(FsBlockStoreOptions options, ReplicaListener* listener) {
  if (options.data_dirs.empty()) return InvalidArgument("no data directories");
  std::unique_ptr<FsBlockStore> store(new FsBlockStore(std::move(options), listener));
  RETURN_IF_ERROR(store->OpenVolumes());
  std::vector<Status> results(store->volumes_.size());
  std::vector<std::thread> scanners;
  for (size_t i = 0; i < store->volumes_.size(); ++i)
    scanners.emplace_back([&, i] { results[i] = store->LoadVolume(store->volumes_[i].get()); });
  for (auto& t : scanners) t.join();
  size_t live = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) store->FailVolume(store->volumes_[i].get(), results[i].ToString());
    if (!store->volumes_[i]->failed()) ++live;
  }
  if (live == 0) return IoError("none of the data directories {} is usable", fmt::join(store->options_.data_dirs, ","));
  std::lock_guard lock(store->mu_);
  spdlog::info("block store: {} replicas on {} of {} volumes, datanode uuid {}", store->replicas_.size(), live,
               store->options_.data_dirs.size(), store->datanode_uuid_);
  return store;
}

FsBlockStore::~FsBlockStore() = default;

Status FsBlockStore::OpenVolumes() {
  std::vector<std::optional<StorageVersion>> existing(options_.data_dirs.size());
  for (size_t i = 0; i < options_.data_dirs.size(); ++i) {
    const std::string& dir = options_.data_dirs[i];
    if (!MakeDirs(CurrentDir(dir)).ok()) continue;
    auto v = ReadStorageVersion(CurrentDir(dir) + "/VERSION");
    if (v.ok()) existing[i] = *v;
    else spdlog::warn("{}: {}", dir, v.status().ToString());
    if (datanode_uuid_.empty() && existing[i]) datanode_uuid_ = existing[i]->datanode_uuid;
  }
  if (datanode_uuid_.empty()) datanode_uuid_ = NewUuid();

  std::set<std::string> storage_ids;
  for (size_t i = 0; i < options_.data_dirs.size(); ++i) {
    const std::string& dir = options_.data_dirs[i];
    StorageVersion v = existing[i].value_or(StorageVersion{});
    if (v.storage_id.empty() || storage_ids.count(v.storage_id)) v.storage_id = "DS-" + NewUuid();
    if (!v.datanode_uuid.empty() && v.datanode_uuid != datanode_uuid_)
      spdlog::warn("{} belonged to datanode {}; it now belongs to {}", dir, v.datanode_uuid, datanode_uuid_);
    v.datanode_uuid = datanode_uuid_;
    auto volume = Volume::Open(static_cast<int>(volumes_.size()), dir, v, options_.reserved_bytes);
    if (!volume.ok()) {
      spdlog::error("data directory {} cannot be used: {}", dir, volume.status().ToString());
      VolumeStatus failed;
      failed.path = dir;
      failed.failed = true;
      failed.failure = volume.status().ToString();
      unopened_volumes_.push_back(std::move(failed));
      continue;
    }
    storage_ids.insert(v.storage_id);
    volumes_.push_back(std::move(volume).value());
  }
  if (volumes_.empty()) return IoError("none of the data directories {} can be opened", fmt::join(options_.data_dirs, ","));
  return Status::OK();
}

Status FsBlockStore::LoadVolume(Volume* volume) {
  ASSIGN_OR_RETURN(auto scanned, ScanVolume(volume->root()));
  uint64_t used = 0;
  std::lock_guard lock(mu_);
  for (auto& s : scanned) {
    auto it = replicas_.find(s.block_id);
    if (it != replicas_.end()) {
      const FsReplica& other = *it->second;
      bool newer = s.gen_stamp > other.gen_stamp ||
                   (s.gen_stamp == other.gen_stamp && s.state == ReplicaState::kFinalized &&
                    other.state != ReplicaState::kFinalized);
      spdlog::warn("replica {} found in {} and {}; using the one in {}", BlockName(s.block_id, s.gen_stamp),
                   other.dir, s.dir, newer ? s.dir : other.dir);
      if (!newer) continue;
      // The other copy's files stay where they are, uncounted (wrap-around arithmetic keeps
      // the total right even when its volume's scan adds them later).
      uint64_t other_bytes = FileSizeOrZero(other.data_path()) + FileSizeOrZero(other.meta_path());
      other.volume->AddUsed(-static_cast<int64_t>(other_bytes));
      total_used_.fetch_sub(other_bytes);
    }
    auto r = std::make_shared<FsReplica>(s.block_id);
    r->gen_stamp = s.gen_stamp;
    r->state = s.state;
    r->volume = volume;
    r->dir = s.dir;
    r->checksum = s.checksum;
    r->bytes_on_disk = s.length;
    r->bytes_acked = s.length;
    replicas_[s.block_id] = std::move(r);
    volume->AddUsed(static_cast<int64_t>(s.file_bytes));
    used += s.file_bytes;
  }
  total_used_ += used;
  return Status::OK();
}

Status FsBlockStore::AdoptNamespace(const std::string& cluster_id, const std::string& block_pool_id) {
  for (auto& v : volumes_) {
    if (v->failed()) continue;
    Status st = v->AdoptNamespace(cluster_id, block_pool_id);
    if (st.code() == ErrorCode::kInvalidArgument) FailVolume(v.get(), st.message());
    else if (!st.ok()) HandleIoError(v.get(), st);
  }
  for (auto& v : volumes_) {
    if (!v->failed()) return Status::OK();
  }
  return IoError("no usable volume is left for cluster {}", cluster_id);
}

Result<Volume*> FsBlockStore::ChooseVolume() {
  size_t n = volumes_.size();
  for (size_t k = 0; k < n; ++k) {
    Volume* v = volumes_[next_volume_.fetch_add(1) % n].get();
    if (v->failed()) continue;
    if (options_.capacity_bytes > 0) {
      if (total_used_.load() >= options_.capacity_bytes)
        return NoSpace("datanode capacity of {} is used up", FormatByteSize(options_.capacity_bytes));
      return v;
    }
    auto space = v->DiskSpace();
    if (!space.ok()) {
      HandleIoError(v, space.status());
      continue;
    }
    if (space->available >= kMinFreeForNewReplica) return v;
  }
  return NoSpace("no volume has room for a new replica");
}

IoEngine& FsBlockStore::ThreadEngine() const {
  IoEngine& engine = ThreadIoEngine(options_.io_engine);
  if (!options_.disk_faults) return engine;
  return ThreadFaultInjectingIoEngine(engine, *options_.disk_faults);
}

Status FsBlockStore::ReserveSpace(Volume* volume, uint64_t bytes) {
  uint64_t before = total_used_.fetch_add(bytes);
  if (options_.capacity_bytes > 0 && before + bytes > options_.capacity_bytes) {
    total_used_.fetch_sub(bytes);
    return NoSpace("datanode capacity of {} is full ({} used)", FormatByteSize(options_.capacity_bytes),
                   FormatByteSize(before));
  }
  volume->AddUsed(static_cast<int64_t>(bytes));
  return Status::OK();
}

void FsBlockStore::ReleaseSpace(Volume* volume, uint64_t bytes) {
  volume->AddUsed(-static_cast<int64_t>(bytes));
  // A failed volume's bytes already left the total.
  if (!volume->failed()) total_used_.fetch_sub(bytes);
}

void FsBlockStore::AdjustSpace(Volume* volume, int64_t delta) {
  if (delta >= 0) {
    volume->AddUsed(delta);
    if (!volume->failed()) total_used_.fetch_add(static_cast<uint64_t>(delta));
  } else {
    ReleaseSpace(volume, static_cast<uint64_t>(-delta));
  }
}

void FsBlockStore::HandleIoError(Volume* volume, const Status& error) {
  if (error.ok() || error.code() == ErrorCode::kNoSpace || volume->failed()) return;
  Status check = volume->Check();
  if (check.ok()) {
    spdlog::warn("I/O error on volume {} ({}), but the volume passes its check", volume->root(), error.ToString());
    return;
  }
  FailVolume(volume, fmt::format("{} (check: {})", error.ToString(), check.ToString()));
}

void FsBlockStore::FailVolume(Volume* volume, const std::string& reason) {
  if (!volume->MarkFailed(reason)) return;
  size_t dropped = 0;
  {
    std::lock_guard lock(mu_);
    for (auto it = replicas_.begin(); it != replicas_.end();) {
      FsReplica& r = *it->second;
      if (r.volume != volume) {
        ++it;
        continue;
      }
      r.removed = true;
      if (r.has_writer && r.interrupt) r.interrupt();
      it = replicas_.erase(it);
      ++dropped;
    }
  }
  total_used_.fetch_sub(std::min(total_used_.load(), volume->dfs_used()));
  spdlog::error("volume {} ({}) taken out of service, {} replicas dropped: {}", volume->root(), volume->storage_id(),
                dropped, reason);
  if (listener_) listener_->OnVolumeFailed(volume->storage_id(), reason);
}

Result<std::shared_ptr<FsReplica>> FsBlockStore::FindLocked(uint64_t block_id) const {
  auto it = replicas_.find(block_id);
  if (it == replicas_.end()) return NotFound("Replica not found for blk_{}", static_cast<int64_t>(block_id));
  return it->second;
}

ReplicaInfo FsBlockStore::SnapshotLocked(const FsReplica& r) {
  ReplicaInfo info;
  info.block_id = r.block_id;
  info.gen_stamp = r.gen_stamp;
  info.state = r.state;
  info.bytes_on_disk = r.bytes_on_disk.load(std::memory_order_acquire);
  info.bytes_acked = r.state == ReplicaState::kFinalized ? info.bytes_on_disk
                                                         : std::min(info.bytes_on_disk, r.bytes_acked.load());
  info.checksum = r.checksum;
  info.storage_id = r.volume ? r.volume->storage_id() : "";
  info.volume = r.volume ? r.volume->index() : -1;
  info.corrupt = r.corrupt;
  return info;
}

Status FsBlockStore::StopWriterLocked(std::unique_lock<std::mutex>& lock, const std::shared_ptr<FsReplica>& replica) {
  if (!replica->has_writer) return Status::OK();
  if (replica->interrupt) replica->interrupt();
  bool stopped = writer_released_.wait_for(lock, std::chrono::milliseconds(options_.writer_stop_timeout_ms),
                                           [&] { return !replica->has_writer; });
  if (!stopped)
    return Aborted("{} is still being written after {} ms", BlockName(replica->block_id, replica->gen_stamp),
                   options_.writer_stop_timeout_ms);
  if (replica->removed) return NotFound("Replica not found for {}", BlockName(replica->block_id, replica->gen_stamp));
  return Status::OK();
}

void FsBlockStore::SetInterrupt(const std::shared_ptr<FsReplica>& replica, std::function<void()> interrupt) {
  std::lock_guard lock(mu_);
  if (replica->has_writer) replica->interrupt = std::move(interrupt);
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::CreateRbw(uint64_t block_id, uint64_t gen_stamp,
                                                               const ChecksumSpec& checksum) {
  return CreateNew(block_id, gen_stamp, checksum, ReplicaState::kRbw);
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::CreateTemporary(uint64_t block_id, uint64_t gen_stamp,
                                                                     const ChecksumSpec& checksum) {
  return CreateNew(block_id, gen_stamp, checksum, ReplicaState::kTemporary);
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::CreateNew(uint64_t block_id, uint64_t gen_stamp,
                                                               const ChecksumSpec& checksum, ReplicaState state) {
  RETURN_IF_ERROR(checksum.Validate());
  auto replica = std::make_shared<FsReplica>(block_id);
  std::shared_ptr<FsReplica> stale;
  ReplicaInfo stale_info;
  {
    std::lock_guard lock(mu_);
    auto it = replicas_.find(block_id);
    if (it != replicas_.end()) {
      const FsReplica& e = *it->second;
      // A transfer may replace a stale copy (older stamp) or a corrupt one that nobody is
      // writing.
      const bool replaceable = e.gen_stamp < gen_stamp || (e.corrupt && e.gen_stamp == gen_stamp);
      if (state != ReplicaState::kTemporary || !replaceable || e.has_writer)
        return AlreadyExists("replica {} already exists as {} {}", BlockName(block_id, gen_stamp),
                             ReplicaStateName(e.state), BlockName(block_id, e.gen_stamp));
      stale = it->second;
      stale->removed = true;
      stale_info = SnapshotLocked(*stale);
      replicas_.erase(it);
    }
    replica->gen_stamp = gen_stamp;
    replica->state = state;
    replica->checksum = checksum;
    replica->has_writer = true;
    replicas_[block_id] = replica;  // holds the id while the files are created
  }
  if (stale) {
    uint64_t bytes = FileSizeOrZero(stale->data_path()) + FileSizeOrZero(stale->meta_path());
    ::unlink(stale->meta_path().c_str());
    ::unlink(stale->data_path().c_str());
    ReleaseSpace(stale->volume, bytes);
    spdlog::info("replaced stale replica {} by {}", stale_info.Name(), BlockName(block_id, gen_stamp));
    if (listener_ && stale_info.state != ReplicaState::kTemporary) listener_->OnDeleted(stale_info);
  }

  auto give_up = [&](const Status& st) {
    std::lock_guard lock(mu_);
    auto it = replicas_.find(block_id);
    if (it != replicas_.end() && it->second == replica) replicas_.erase(it);
    replica->removed = true;
    replica->has_writer = false;
    writer_released_.notify_all();
    return st;
  };

  Status last = NoSpace("no volume has room for a new replica");
  for (size_t attempt = 0; attempt < volumes_.size(); ++attempt) {
    auto chosen = ChooseVolume();
    if (!chosen.ok()) return give_up(chosen.status());
    Volume* volume = *chosen;
    std::string dir = state == ReplicaState::kTemporary ? TmpDir(volume->root()) : RbwDir(volume->root());
    std::string meta_path = dir + "/" + MetaFileName(block_id, gen_stamp);
    std::string data_path = dir + "/" + BlockFileName(block_id);
    // Meta first: a crash between the two leaves a meta file without data, which the
    // start-up scan removes.
    int meta_fd = ::open(meta_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int data_fd = -1;
    Status st;
    if (meta_fd < 0) {
      st = ErrnoError(errno, "create " + meta_path);
    } else {
      uint8_t header[kMetaHeaderSize];
      EncodeMetaHeader(checksum, header);
      if (::pwrite(meta_fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) {
        st = ErrnoError(errno ? errno : EIO, "write " + meta_path);
      } else {
        data_fd = ::open(data_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (data_fd < 0) st = ErrnoError(errno, "create " + data_path);
      }
    }
    if (st.ok()) st = ReserveSpace(volume, kMetaHeaderSize);
    if (!st.ok()) {
      if (data_fd >= 0) ::close(data_fd);
      if (meta_fd >= 0) ::close(meta_fd);
      ::unlink(data_path.c_str());
      ::unlink(meta_path.c_str());
      last = st;
      HandleIoError(volume, st);
      if (st.code() == ErrorCode::kNoSpace && options_.capacity_bytes > 0) return give_up(st);
      continue;  // another volume may do
    }
    ReplicaInfo info;
    {
      std::lock_guard lock(mu_);
      replica->volume = volume;
      replica->dir = dir;
      info = SnapshotLocked(*replica);
    }
    auto writer = std::make_unique<FsReplicaWriter>(this, replica, info, data_fd, meta_fd, 0);
    if (listener_ && state == ReplicaState::kRbw) listener_->OnReceiving(info);
    return std::unique_ptr<ReplicaWriter>(std::move(writer));
  }
  return give_up(last);
}

Result<std::unique_ptr<ReplicaWriter>> FsBlockStore::OpenWriter(const std::shared_ptr<FsReplica>& replica) {
  std::string data_path, meta_path;
  ReplicaInfo info;
  {
    std::lock_guard lock(mu_);
    data_path = replica->data_path();
    meta_path = replica->meta_path();
    info = SnapshotLocked(*replica);
  }
  int data_fd = ::open(data_path.c_str(), O_RDWR | O_CLOEXEC);
  if (data_fd < 0) return ErrnoError(errno, "open " + data_path);
  int meta_fd = ::open(meta_path.c_str(), O_RDWR | O_CLOEXEC);
  if (meta_fd < 0) {
    int err = errno;
    ::close(data_fd);
    return ErrnoError(err, "open " + meta_path);
  }
  uint32_t last_crc = 0;
  uint64_t bpc = info.checksum.bytes_per_checksum;
  if (info.bytes_on_disk % bpc != 0) {
    uint8_t crc[kCrcSize];
    if (::pread(meta_fd, crc, sizeof crc, static_cast<off_t>(MetaOffsetOfChunk(info.bytes_on_disk / bpc))) !=
        static_cast<ssize_t>(sizeof crc)) {
      ::close(data_fd);
      ::close(meta_fd);
      return Corruption("{}: cannot read the last chunk's CRC from {}", info.Name(), meta_path);
    }
    last_crc = LoadBigEndian32(crc);
  }
  return std::unique_ptr<ReplicaWriter>(
      std::make_unique<FsReplicaWriter>(this, replica, info, data_fd, meta_fd, last_crc));
}

Result<ReplicaInfo> FsBlockStore::FinalizeWriter(const std::shared_ptr<FsReplica>& replica, ReplicaState to) {
  std::string from;
  uint64_t gs;
  Volume* volume;
  {
    std::lock_guard lock(mu_);
    if (replica->removed)
      return Aborted("{} was deleted while being written", BlockName(replica->block_id, replica->gen_stamp));
    from = replica->dir;
    gs = replica->gen_stamp;
    volume = replica->volume;
  }
  std::string to_dir = to == ReplicaState::kFinalized ? FinalizedDir(volume->root(), replica->block_id)
                                                      : RbwDir(volume->root());
  Status st = MoveReplicaFiles(from, to_dir, replica->block_id, gs, gs,
                               to == ReplicaState::kFinalized ? rename_durability() : MoveDurability::kVolatile);
  if (!st.ok()) {
    HandleIoError(volume, st);
    return st;
  }
  ReplicaInfo info;
  {
    std::lock_guard lock(mu_);
    replica->dir = to_dir;
    replica->state = to;
    replica->bytes_acked = replica->bytes_on_disk.load();
    replica->has_writer = false;
    replica->interrupt = nullptr;
    info = SnapshotLocked(*replica);
    writer_released_.notify_all();
  }
  if (listener_) {
    if (to == ReplicaState::kFinalized) listener_->OnReceived(info);
    else listener_->OnReceiving(info);
  }
  return info;
}

Status FsBlockStore::SyncReplicaDir(const std::shared_ptr<FsReplica>& replica) {
  std::string dir;
  {
    std::lock_guard lock(mu_);
    dir = replica->dir;
  }
  return SyncDir(dir);
}

void FsBlockStore::ReleaseWriter(const std::shared_ptr<FsReplica>& replica, bool delete_files) {
  std::string data_path, meta_path;
  bool unlink_files = false;
  {
    std::lock_guard lock(mu_);
    replica->has_writer = false;
    replica->interrupt = nullptr;
    if (delete_files) {
      auto it = replicas_.find(replica->block_id);
      if (it != replicas_.end() && it->second == replica) replicas_.erase(it);
      unlink_files = !replica->dir.empty();
      replica->removed = true;
      data_path = replica->data_path();
      meta_path = replica->meta_path();
    }
    writer_released_.notify_all();
  }
  if (unlink_files) {
    uint64_t bytes = FileSizeOrZero(data_path) + FileSizeOrZero(meta_path);
    ::unlink(meta_path.c_str());
    ::unlink(data_path.c_str());
    ReleaseSpace(replica->volume, bytes);
  }
}

Result<std::unique_ptr<ReplicaReader>> FsBlockStore::OpenForRead(uint64_t block_id, uint64_t min_gen_stamp) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    ReplicaInfo info;
    std::string data_path, meta_path;
    Volume* volume;
    {
      std::lock_guard lock(mu_);
      auto it = replicas_.find(block_id);
      if (it == replicas_.end() || it->second->state == ReplicaState::kTemporary)
        return NotFound("Replica not found for {}", BlockName(block_id, min_gen_stamp));
      const FsReplica& r = *it->second;
      if (r.gen_stamp < min_gen_stamp)
        return Aborted("replica {} is older than the requested {}", BlockName(block_id, r.gen_stamp),
                       BlockName(block_id, min_gen_stamp));
      if (r.corrupt)
        return Corruption("replica {} is corrupt (it failed checksum verification)", BlockName(block_id, r.gen_stamp));
      info = SnapshotLocked(r);
      data_path = r.data_path();
      meta_path = r.meta_path();
      volume = r.volume;
    }
    int meta_fd = ::open(meta_path.c_str(), O_RDONLY | O_CLOEXEC);
    int data_fd = meta_fd < 0 ? -1 : ::open(data_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (meta_fd >= 0 && data_fd >= 0)
      return std::unique_ptr<ReplicaReader>(std::make_unique<FsReplicaReader>(this, info, volume, data_fd, meta_fd));
    int err = errno;
    if (meta_fd >= 0) ::close(meta_fd);
    if (err != ENOENT) {
      Status st = ErrnoError(err, "open " + (meta_fd < 0 ? meta_path : data_path));
      HandleIoError(volume, st);
      return st;
    }
    // A finalize, append or recovery moved the files under us: look again.
  }
  return IoError("replica blk_{} keeps moving; try again", static_cast<int64_t>(block_id));
}

Result<ReplicaInfo> FsBlockStore::GetReplica(uint64_t block_id) const {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto r, FindLocked(block_id));
  return SnapshotLocked(*r);
}

Result<LocalReplicaFiles> FsBlockStore::GetLocalFiles(uint64_t block_id, uint64_t min_gen_stamp) const {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto r, FindLocked(block_id));
  if (r->state != ReplicaState::kFinalized || r->volume == nullptr)
    return NotFound("{} is not finalized here", BlockName(block_id, r->gen_stamp));
  if (r->gen_stamp < min_gen_stamp)
    return NotFound("{} is older than the requested {}", BlockName(block_id, r->gen_stamp),
                    BlockName(block_id, min_gen_stamp));
  return LocalReplicaFiles{r->data_path(), r->meta_path(), r->bytes_on_disk.load()};
}

std::vector<ReplicaInfo> FsBlockStore::ListReplicas() const {
  std::lock_guard lock(mu_);
  std::vector<ReplicaInfo> out;
  out.reserve(replicas_.size());
  for (const auto& [id, r] : replicas_) {
    if (r->state != ReplicaState::kTemporary && r->volume != nullptr) out.push_back(SnapshotLocked(*r));
  }
  return out;
}

Status FsBlockStore::Delete(uint64_t block_id, uint64_t gen_stamp) {
  ReplicaInfo info;
  std::shared_ptr<FsReplica> replica;
  std::string data_path, meta_path;
  {
    std::unique_lock lock(mu_);
    ASSIGN_OR_RETURN(replica, FindLocked(block_id));
    if (replica->gen_stamp != gen_stamp)
      return Aborted("cannot delete {}: the stored replica is {}", BlockName(block_id, gen_stamp),
                     BlockName(block_id, replica->gen_stamp));
    RETURN_IF_ERROR(StopWriterLocked(lock, replica));
    if (replica->gen_stamp != gen_stamp)
      return Aborted("cannot delete {}: the stored replica is now {}", BlockName(block_id, gen_stamp),
                     BlockName(block_id, replica->gen_stamp));
    auto it = replicas_.find(block_id);
    if (it != replicas_.end() && it->second == replica) replicas_.erase(it);
    replica->removed = true;
    info = SnapshotLocked(*replica);
    data_path = replica->data_path();
    meta_path = replica->meta_path();
  }
  uint64_t bytes = FileSizeOrZero(data_path) + FileSizeOrZero(meta_path);
  bool ok = (::unlink(meta_path.c_str()) == 0 || errno == ENOENT);
  int err = errno;
  ok = (::unlink(data_path.c_str()) == 0 || errno == ENOENT) && ok;
  if (!ok) err = errno ? errno : err;
  ReleaseSpace(replica->volume, bytes);
  if (listener_) listener_->OnDeleted(info);
  if (!ok) {
    Status st = ErrnoError(err, "delete " + info.Name());
    HandleIoError(replica->volume, st);
    return st;
  }
  return Status::OK();
}

Status FsBlockStore::MarkCorrupt(uint64_t block_id, uint64_t gen_stamp, const std::string& reason) {
  ReplicaInfo info;
  {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(auto replica, FindLocked(block_id));
    if (replica->gen_stamp != gen_stamp)
      return Aborted("cannot mark {} corrupt: the stored replica is {}", BlockName(block_id, gen_stamp),
                     BlockName(block_id, replica->gen_stamp));
    if (replica->corrupt) return Status::OK();
    replica->corrupt = true;
    info = SnapshotLocked(*replica);
  }
  spdlog::error("replica {} on {} is corrupt: {}", info.Name(), info.storage_id, reason);
  if (listener_) listener_->OnCorrupt(info, reason);
  return Status::OK();
}

Status FsBlockStore::CheckVolume(int index) {
  if (index < 0 || static_cast<size_t>(index) >= volumes_.size()) return InvalidArgument("no volume {}", index);
  Volume* volume = volumes_[index].get();
  if (volume->failed()) return Status::OK();
  Status check = volume->Check();
  if (!check.ok()) FailVolume(volume, fmt::format("periodic volume check failed: {}", check.ToString()));
  return check;
}

std::vector<VolumeStatus> FsBlockStore::Volumes() const {
  std::vector<VolumeStatus> out;
  size_t live = 0;
  for (const auto& v : volumes_) live += v->failed() ? 0 : 1;
  uint64_t share = live > 0 ? options_.capacity_bytes / live : 0;
  bool first_live = true;
  for (const auto& v : volumes_) {
    VolumeStatus s;
    s.index = v->index();
    s.storage_id = v->storage_id();
    s.path = v->root();
    s.failed = v->failed();
    if (s.failed) {
      s.failure = v->failure();
      out.push_back(std::move(s));
      continue;
    }
    s.dfs_used = v->dfs_used();
    if (options_.capacity_bytes > 0) {
      s.capacity = share + (first_live ? options_.capacity_bytes % live : 0);
      s.remaining = s.capacity > s.dfs_used ? s.capacity - s.dfs_used : 0;
    } else if (auto space = v->DiskSpace(); space.ok()) {
      s.capacity = space->capacity;
      s.remaining = space->available;
      uint64_t accounted = s.remaining + s.dfs_used;
      s.non_dfs_used = s.capacity > accounted ? s.capacity - accounted : 0;
    }
    first_live = false;
    out.push_back(std::move(s));
  }
  out.insert(out.end(), unopened_volumes_.begin(), unopened_volumes_.end());
  return out;
}

}  // namespace cairn::datanode
