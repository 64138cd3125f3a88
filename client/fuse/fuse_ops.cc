#include "client/fuse/fuse_ops.h"

#include <algorithm>
#include <optional>
#include <string>

namespace cairn::fuse {

namespace {

MountContext& Context() { return *static_cast<MountContext*>(fuse_get_context()->private_data); }
CairnFs& Fs() { return *Context().fs; }

Caller Who() {
  const fuse_context* ctx = fuse_get_context();
  return Caller{ctx->uid, ctx->gid};
}

std::string P(const char* path) { return path != nullptr ? path : ""; }

std::optional<uint64_t> Fh(const fuse_file_info* fi) {
  return fi != nullptr ? std::optional<uint64_t>(fi->fh) : std::nullopt;
}

void* Init(fuse_conn_info* conn, fuse_config* cfg) {
  MountContext& mc = Context();
  const FuseSettings& s = *mc.settings;
  cfg->use_ino = 1;
  cfg->readdir_ino = 1;
  cfg->nullpath_ok = 1;
  cfg->hard_remove = 1;
  cfg->entry_timeout = s.entry_timeout_ms / 1000.0;
  cfg->attr_timeout = s.attr_timeout_ms / 1000.0;
  cfg->negative_timeout = s.negative_timeout_ms / 1000.0;
  conn->max_write = static_cast<unsigned>(s.max_write.bytes);
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_ASYNC_READ) conn->want |= FUSE_CAP_ASYNC_READ;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  return &mc;
}

int GetAttr(const char* path, struct stat* st, fuse_file_info* fi) { return Fs().GetAttr(Who(), P(path), Fh(fi), st); }
int Access(const char* path, int mask) { return Fs().Access(Who(), P(path), mask); }
int ReadLink(const char* path, char* buf, size_t size) { return Fs().ReadLink(Who(), P(path), buf, size); }
int Mkdir(const char* path, mode_t mode) { return Fs().Mkdir(Who(), P(path), mode); }
int Unlink(const char* path) { return Fs().Unlink(Who(), P(path)); }
int Rmdir(const char* path) { return Fs().Rmdir(Who(), P(path)); }
int Symlink(const char* target, const char* link) { return Fs().Symlink(Who(), P(target), P(link)); }
int Rename(const char* from, const char* to, unsigned int flags) { return Fs().Rename(Who(), P(from), P(to), flags); }
int Chmod(const char* path, mode_t mode, fuse_file_info* fi) { return Fs().Chmod(Who(), P(path), Fh(fi), mode); }
int Chown(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
  return Fs().Chown(Who(), P(path), Fh(fi), uid, gid);
}
int Truncate(const char* path, off_t size, fuse_file_info* fi) {
  if (size < 0) return -EINVAL;
  return Fs().Truncate(Who(), P(path), Fh(fi), static_cast<uint64_t>(size));
}
int Utimens(const char* path, const struct timespec tv[2], fuse_file_info* fi) {
  return Fs().Utimens(Who(), P(path), Fh(fi), tv);
}
int StatFs(const char*, struct statvfs* st) { return Fs().StatFs(Who(), st); }

int Open(const char* path, fuse_file_info* fi) {
  uint64_t fh = 0;
  int rc = Fs().Open(Who(), P(path), fi->flags, &fh);
  if (rc == 0) {
    fi->fh = fh;
    fi->keep_cache = 0;
  }
  return rc;
}

int Create(const char* path, mode_t mode, fuse_file_info* fi) {
  uint64_t fh = 0;
  int rc = Fs().Create(Who(), P(path), mode, fi->flags, &fh);
  if (rc == 0) {
    fi->fh = fh;
    fi->keep_cache = 0;
  }
  return rc;
}

int Read(const char*, char* buf, size_t size, off_t off, fuse_file_info* fi) {
  if (off < 0) return -EINVAL;
  return Fs().Read(fi->fh, buf, size, static_cast<uint64_t>(off));
}

int Write(const char*, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  if (off < 0) return -EINVAL;
  return Fs().Write(fi->fh, buf, size, static_cast<uint64_t>(off));
}

int Flush(const char*, fuse_file_info* fi) { return Fs().Flush(fi->fh); }
int Release(const char*, fuse_file_info* fi) { return Fs().Release(fi->fh); }
int Fsync(const char*, int, fuse_file_info* fi) { return Fs().Fsync(fi->fh); }

int OpenDir(const char* path, fuse_file_info* fi) {
  uint64_t fh = 0;
  int rc = Fs().OpenDir(Who(), P(path), &fh);
  if (rc == 0) fi->fh = fh;
  return rc;
}

int ReadDir(const char*, void* buf, fuse_fill_dir_t filler, off_t off, fuse_file_info* fi,
            fuse_readdir_flags flags) {
  const auto fill_flags = (flags & FUSE_READDIR_PLUS) ? FUSE_FILL_DIR_PLUS : static_cast<fuse_fill_dir_flags>(0);
  return Fs().ReadDir(Who(), fi->fh, static_cast<uint64_t>(std::max<off_t>(off, 0)),
                      [&](const std::string& name, const struct stat* st, uint64_t next) {
                        return filler(buf, name.c_str(), st, static_cast<off_t>(next),
                                      st != nullptr ? fill_flags : static_cast<fuse_fill_dir_flags>(0)) == 0;
                      });
}

int ReleaseDir(const char*, fuse_file_info* fi) { return Fs().ReleaseDir(fi->fh); }

}  // namespace

fuse_operations MakeOperations() {
  fuse_operations ops{};
  ops.init = Init;
  ops.getattr = GetAttr;
  ops.access = Access;
  ops.readlink = ReadLink;
  ops.mkdir = Mkdir;
  ops.unlink = Unlink;
  ops.rmdir = Rmdir;
  ops.symlink = Symlink;
  ops.rename = Rename;
  ops.chmod = Chmod;
  ops.chown = Chown;
  ops.truncate = Truncate;
  ops.utimens = Utimens;
  ops.statfs = StatFs;
  ops.open = Open;
  ops.create = Create;
  ops.read = Read;
  ops.write = Write;
  ops.flush = Flush;
  ops.release = Release;
  ops.fsync = Fsync;
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.releasedir = ReleaseDir;
  return ops;
}

}  // namespace cairn::fuse
