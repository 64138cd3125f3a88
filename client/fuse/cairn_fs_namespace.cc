// CairnFs: namespace operations (attributes, directories, names, links, permissions).
#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/fuse/attributes.h"
#include "client/fuse/cairn_fs.h"
#include "client/fuse/errno_map.h"
#include "common/clock.h"

namespace cairn::fuse {

namespace {

// Milliseconds for setTimes: -1 leaves the time unchanged (HDFS), as UTIME_OMIT asks.
int64_t TimeArg(const struct timespec* times, int i, int64_t now) {
  if (times == nullptr || times[i].tv_nsec == UTIME_NOW) return now;
  if (times[i].tv_nsec == UTIME_OMIT) return -1;
  return static_cast<int64_t>(times[i].tv_sec) * 1000 + times[i].tv_nsec / 1000000;
}

}  // namespace

int CairnFs::GetAttr(const Caller& c, const std::string& path, std::optional<uint64_t> fh, struct stat* out) {
  const std::string p = PathOf(path, fh);
  auto st = Lookup(c, p);
  if (!st.ok()) return ErrnoFor("getattr", p, st.status());
  ToStat(*st, users_, out);
  return 0;
}

int CairnFs::Access(const Caller& c, const std::string& path, int mask) {
  if (mask == F_OK) {
    auto st = Lookup(c, path);
    return st.ok() ? 0 : ErrnoFor("access", path, st.status());
  }
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("access", path, fs.status());
  Status st = (*fs)->CheckAccess(path, static_cast<uint32_t>(mask) & 7);
  return st.ok() ? 0 : ErrnoFor("access", path, st);
}

int CairnFs::ReadLink(const Caller& c, const std::string& path, char* buf, size_t size) {
  auto st = Lookup(c, path);
  if (!st.ok()) return ErrnoFor("readlink", path, st.status());
  if (!st->is_symlink) return -EINVAL;
  if (size == 0) return -EINVAL;
  const size_t n = std::min(size - 1, st->symlink_target.size());
  std::memcpy(buf, st->symlink_target.data(), n);
  buf[n] = '\0';
  return 0;
}

int CairnFs::Mkdir(const Caller& c, const std::string& path, mode_t mode) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("mkdir", path, fs.status());
  return Changed("mkdir", path, (*fs)->Mkdir(path, mode & 07777, /*create_parent=*/false));
}

int CairnFs::Unlink(const Caller& c, const std::string& path) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("unlink", path, fs.status());
  auto deleted = (*fs)->Delete(path, /*recursive=*/false);
  attrs_.Erase(path);
  if (!deleted.ok()) return ErrnoFor("unlink", path, deleted.status());
  return *deleted ? 0 : -ENOENT;
}

int CairnFs::Rmdir(const Caller& c, const std::string& path) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("rmdir", path, fs.status());
  auto deleted = (*fs)->Delete(path, /*recursive=*/false);
  attrs_.EraseTree(path);
  if (!deleted.ok()) return ErrnoFor("rmdir", path, deleted.status());
  return *deleted ? 0 : -ENOENT;
}

int CairnFs::Symlink(const Caller& c, const std::string& target, const std::string& link) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("symlink", link, fs.status());
  return Changed("symlink", link, (*fs)->CreateSymlink(target, link, /*create_parent=*/false));
}

int CairnFs::Rename(const Caller& c, const std::string& from, const std::string& to, unsigned int flags) {
  if ((flags & RENAME_EXCHANGE) != 0) return -EINVAL;  // no atomic exchange in the namespace
  if ((flags & ~static_cast<unsigned int>(RENAME_NOREPLACE)) != 0) return -EINVAL;
  if (from == to) return 0;  // POSIX: renaming a name to itself changes nothing
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("rename", from, fs.status());
  const bool replace = (flags & RENAME_NOREPLACE) == 0;
  Status st = (*fs)->Rename(from, to, replace);
  attrs_.EraseTree(from);
  attrs_.EraseTree(to);
  if (!st.ok()) return ErrnoFor("rename", from + " -> " + to, st);
  files_.Renamed(from, to);
  return 0;
}

int CairnFs::Chmod(const Caller& c, const std::string& path, std::optional<uint64_t> fh, mode_t mode) {
  const std::string p = PathOf(path, fh);
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("chmod", p, fs.status());
  return Changed("chmod", p, (*fs)->Chmod(p, mode & 07777));
}

int CairnFs::Chown(const Caller& c, const std::string& path, std::optional<uint64_t> fh, uid_t uid, gid_t gid) {
  const std::string p = PathOf(path, fh);
  const std::string owner = uid == static_cast<uid_t>(-1) ? "" : users_.UserName(uid);
  const std::string group = gid == static_cast<gid_t>(-1) ? "" : users_.GroupName(gid);
  if (owner.empty() && group.empty()) return 0;
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("chown", p, fs.status());
  return Changed("chown", p, (*fs)->Chown(p, owner, group));
}

int CairnFs::Utimens(const Caller& c, const std::string& path, std::optional<uint64_t> fh,
                     const struct timespec* times) {
  const std::string p = PathOf(path, fh);
  const int64_t now = WallMillis();
  const int64_t atime = TimeArg(times, 0, now), mtime = TimeArg(times, 1, now);
  if (atime < 0 && mtime < 0) return 0;
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("utimens", p, fs.status());
  Status st = (*fs)->SetTimes(p, mtime, atime);
  if (st.ok()) {
    if (auto writer = files_.WriterOf(p)) writer->KeepTimes(mtime, atime);
  }
  return Changed("utimens", p, st);
}

int CairnFs::StatFs(const Caller& c, struct statvfs* out) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("statfs", "/", fs.status());
  auto stats = (*fs)->GetFsStats();
  if (!stats.ok()) return ErrnoFor("statfs", "/", stats.status());
  ToStatVfs(*stats, out);
  return 0;
}

int CairnFs::OpenDir(const Caller& c, const std::string& path, uint64_t* fh) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("opendir", path, fs.status());
  auto dir = std::make_shared<DirHandle>(*fs, path);
  // Read the first page now, so a directory the caller may not list fails at opendir.
  Status st = dir->ReadFrom(2, [](const std::string&, const client::FileStatus*, uint64_t) { return false; });
  if (!st.ok()) return ErrnoFor("opendir", path, st);
  std::lock_guard lock(dirs_mu_);
  *fh = next_dir_++;
  dirs_.emplace(*fh, std::move(dir));
  return 0;
}

int CairnFs::ReadDir(const Caller& c, uint64_t fh, uint64_t offset, const DirFill& fill) {
  std::shared_ptr<DirHandle> dir;
  {
    std::lock_guard lock(dirs_mu_);
    auto it = dirs_.find(fh);
    if (it == dirs_.end()) return -EBADF;
    dir = it->second;
  }
  const std::string user = UserOf(c);
  struct stat st {};
  Status status = dir->ReadFrom(offset, [&](const std::string& name, const client::FileStatus* entry, uint64_t next) {
    if (entry == nullptr) return fill(name, nullptr, next);
    attrs_.Put(user, *entry);  // the lookups that follow a listing (ls -l) are answered here
    client::FileStatus shown = *entry;
    if (!shown.is_dir) {
      if (auto written = files_.WrittenLength(shown.path)) shown.length = *written;
    }
    ToStat(shown, users_, &st);
    return fill(name, &st, next);
  });
  return status.ok() ? 0 : ErrnoFor("readdir", dir->path(), status);
}

int CairnFs::ReleaseDir(uint64_t fh) {
  std::lock_guard lock(dirs_mu_);
  return dirs_.erase(fh) > 0 ? 0 : -EBADF;
}

}  // namespace cairn::fuse
