#include "datanode/store/storage_version.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>

#include "common/clock.h"
#include "datanode/store/block_layout.h"

namespace cairn::datanode {

Result<std::optional<StorageVersion>> ReadStorageVersion(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::optional<StorageVersion>();
    return ErrnoError(errno, "open " + path);
  }
  StorageVersion v;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) return Corruption("{}: line '{}' is not key=value", path, line);
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "storageID") v.storage_id = value;
    else if (key == "datanodeUuid") v.datanode_uuid = value;
    else if (key == "clusterID") v.cluster_id = value;
    else if (key == "blockPoolID") v.block_pool_id = value;
    else if (key == "cTime") v.ctime = std::atoll(value.c_str());
    else if (key == "layoutVersion") v.layout_version = std::atoi(value.c_str());
  }
  if (v.storage_id.empty() || v.datanode_uuid.empty())
    return Corruption("{} lacks storageID or datanodeUuid", path);
  return std::optional<StorageVersion>(std::move(v));
}

Status WriteStorageVersion(const std::string& path, const StorageVersion& v) {
  std::string text = fmt::format(
      "#Written by cairn-datanode at {} ms since the epoch\n"
      "storageID={}\nclusterID={}\ncTime={}\ndatanodeUuid={}\nblockPoolID={}\nstorageType=DATA_NODE\n"
      "layoutVersion={}\n",
      WallMillis(), v.storage_id, v.cluster_id, v.ctime, v.datanode_uuid, v.block_pool_id, v.layout_version);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "create " + tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError(err, "write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError(err, "fsync " + tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError(errno, "rename " + tmp);
  // The rename is durable only once the directory is.
  return SyncDir(ParentDir(path));
}

std::string NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ static_cast<uint64_t>(WallMillis())};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ull) | 0x4000ull;                     // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);     // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFull);
}

}  // namespace cairn::datanode
