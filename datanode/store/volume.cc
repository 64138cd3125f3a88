#include "datanode/store/volume.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "datanode/store/block_layout.h"

namespace cairn::datanode {

namespace {
// Removes every regular file in dir (temporary replicas of transfers cut short).
void EmptyDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(d);
}
}  // namespace

Result<std::unique_ptr<Volume>> Volume::Open(int index, const std::string& root, StorageVersion version,
                                             uint64_t reserved_bytes) {
  RETURN_IF_ERROR(MakeDirs(FinalizedRoot(root)));
  RETURN_IF_ERROR(MakeDirs(RbwDir(root)));
  RETURN_IF_ERROR(MakeDirs(TmpDir(root)));
  // Only the datanode's account may reach its replicas: tasks run as other accounts and
  // get the blocks they may read as open descriptors (compute/executor/executor.h).
  if (::chmod(CurrentDir(root).c_str(), 0700) != 0) return ErrnoError(errno, "chmod 0700 " + CurrentDir(root));
  EmptyDir(TmpDir(root));
  std::string path = CurrentDir(root) + "/VERSION";
  ASSIGN_OR_RETURN(auto existing, ReadStorageVersion(path));
  bool same = existing && existing->storage_id == version.storage_id &&
              existing->datanode_uuid == version.datanode_uuid && existing->cluster_id == version.cluster_id &&
              existing->block_pool_id == version.block_pool_id;
  if (!same) RETURN_IF_ERROR(WriteStorageVersion(path, version));
  // The layout's directories, made above or at a first start, survive a power cut: the
  // entries of current/ and of the data dir itself (and that dir in its parent, where the
  // datanode may have made it).
  RETURN_IF_ERROR(SyncDir(CurrentDir(root)));
  RETURN_IF_ERROR(SyncDir(root));
  (void)SyncDir(ParentDir(root));
  std::unique_ptr<Volume> v(new Volume(index, root, std::move(version), reserved_bytes));
  return v;
}

StorageVersion Volume::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

Status Volume::AdoptNamespace(const std::string& cluster_id, const std::string& block_pool_id) {
  std::lock_guard lock(mu_);
  if (!cluster_id.empty() && !version_.cluster_id.empty() && version_.cluster_id != cluster_id)
    return InvalidArgument("volume {} belongs to cluster {}, the namenode serves cluster {}", root_,
                           version_.cluster_id, cluster_id);
  StorageVersion next = version_;
  if (!cluster_id.empty()) next.cluster_id = cluster_id;
  if (!block_pool_id.empty()) next.block_pool_id = block_pool_id;
  if (next.cluster_id == version_.cluster_id && next.block_pool_id == version_.block_pool_id) return Status::OK();
  RETURN_IF_ERROR(WriteStorageVersion(CurrentDir(root_) + "/VERSION", next));
  version_ = std::move(next);
  return Status::OK();
}

std::string Volume::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

bool Volume::MarkFailed(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (failed_.load()) return false;
  failure_ = reason;
  failed_.store(true, std::memory_order_release);
  return true;
}

Result<Volume::Space> Volume::DiskSpace() const {
  struct statvfs st {};
  if (::statvfs(root_.c_str(), &st) != 0) return ErrnoError(errno, "statvfs " + root_);
  uint64_t total = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  uint64_t avail = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  Space s;
  s.capacity = total > reserved_ ? total - reserved_ : 0;
  s.available = avail > reserved_ ? avail - reserved_ : 0;
  return s;
}

Status Volume::Check() const {
  struct stat st {};
  std::string current = CurrentDir(root_);
  if (::stat(current.c_str(), &st) != 0) return ErrnoError(errno, "stat " + current);
  if (!S_ISDIR(st.st_mode)) return IoError("{} is not a directory", current);
  // Out of descriptors, memory or space says nothing about the disk's health.
  auto transient = [](int err) { return err == EMFILE || err == ENFILE || err == ENOMEM || err == ENOSPC || err == EDQUOT; };
  std::string probe = TmpDir(root_) + "/.volume-check";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return transient(errno) ? Status::OK() : ErrnoError(errno, "create " + probe);
  const char byte = 'x';
  bool ok = ::write(fd, &byte, 1) == 1 && ::fdatasync(fd) == 0;
  int err = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!ok && !transient(err)) return ErrnoError(err, "write " + probe);
  return Status::OK();
}

}  // namespace cairn::datanode
