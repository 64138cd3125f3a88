// How Cairn's file attributes look to stat(2): the inode number is the file id, owner and
// group names become local ids (UserMap), times are the namenode's milliseconds, links
// count 1 (directories included: tools then count subdirectories themselves), and
// st_blksize is 1 MiB so tools like cp move data in large requests.
//
// Thread-safety: pure functions over a thread-safe UserMap.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "client/file_system.h"
#include "client/fuse/user_map.h"

namespace cairn::fuse {

constexpr uint32_t kPreferredIoBytes = 1 << 20;

void ToStat(const client::FileStatus& status, UserMap& users, struct stat* out);
void ToStatVfs(const client::FsStats& stats, struct statvfs* out);

}  // namespace cairn::fuse
