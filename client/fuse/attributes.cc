#include "client/fuse/attributes.h"

#include <cstring>

#include "common/path.h"

namespace cairn::fuse {

namespace {

timespec FromMillis(int64_t ms) {
  timespec ts{};
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000;
  return ts;
}

constexpr uint64_t kStatFsBlock = 4096;

}  // namespace

void ToStat(const client::FileStatus& status, UserMap& users, struct stat* out) {
  std::memset(out, 0, sizeof(*out));
  mode_t type = S_IFREG;
  if (status.is_dir) type = S_IFDIR;
  if (status.is_symlink) type = S_IFLNK;
  out->st_mode = type | (status.permission & 07777);
  out->st_ino = status.file_id;
  out->st_nlink = 1;
  out->st_uid = users.Uid(status.owner);
  out->st_gid = users.Gid(status.group);
  if (status.is_symlink) {
    out->st_size = static_cast<off_t>(status.symlink_target.size());
  } else if (!status.is_dir) {
    out->st_size = static_cast<off_t>(status.length);
  }
  out->st_blksize = kPreferredIoBytes;
  out->st_blocks = static_cast<blkcnt_t>((static_cast<uint64_t>(out->st_size) + 511) / 512);
  out->st_mtim = FromMillis(status.modification_time);
  out->st_atim = FromMillis(status.access_time > 0 ? status.access_time : status.modification_time);
  out->st_ctim = out->st_mtim;
}

void ToStatVfs(const client::FsStats& stats, struct statvfs* out) {
  std::memset(out, 0, sizeof(*out));
  out->f_bsize = kPreferredIoBytes;
  out->f_frsize = kStatFsBlock;
  out->f_blocks = stats.capacity / kStatFsBlock;
  out->f_bfree = stats.remaining / kStatFsBlock;
  out->f_bavail = out->f_bfree;
  // The namespace has no fixed number of inodes: report plenty free.
  out->f_files = 1ull << 32;
  out->f_ffree = out->f_files;
  out->f_favail = out->f_files;
  out->f_namemax = kMaxComponentBytes;
}

}  // namespace cairn::fuse
