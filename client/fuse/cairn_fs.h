// CairnFs: the file system operations of a Cairn mount, in POSIX terms. The libfuse
// binding (fuse_ops.cc) calls one method per request with the caller's identity; each
// returns 0 (or a byte count) on success and -errno on failure, as FUSE expects, and
// knows nothing of libfuse itself, so tests drive it directly.
//
// Everything goes through libcairn: one FileSystem per local user the mount acts for
// (ClientPool; the caller's uid names the user, so the namenode checks permissions as
// that user), input streams with read-ahead for reads, output streams for writes.
// Namespace operations live in cairn_fs_namespace.cc, file data in cairn_fs_files.cc.
//
// Caching: the kernel caches attributes and names for the configured timeouts; cairn-fuse
// keeps its own attribute cache (AttrCache) with the same lifetime, which every change
// made through the mount updates. Opening a file always asks the namenode for its current
// length and, when that differs from what the caches hold, tells the kernel to forget
// the file's attributes and pages (the invalidator set by the mount), so a read never
// returns stale bytes of a file completed before it was opened.
//
// Owns: the client pool, user map, attribute cache, open-file table and directory handles.
// Thread-safety: every method may be called from any FUSE worker thread at once; dirs_mu_
// guards the directory handle map, the other members are thread-safe themselves.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "client/file_system.h"
#include "client/fuse/attr_cache.h"
#include "client/fuse/client_pool.h"
#include "client/fuse/dir_handle.h"
#include "client/fuse/open_file_table.h"
#include "client/fuse/settings.h"
#include "client/fuse/user_map.h"

namespace cairn::fuse {

// Who sent a request (from the FUSE request header).
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
};

class CairnFs {
 public:
  explicit CairnFs(const FuseSettings& settings);
  ~CairnFs();

  // Called with a path whose kernel-cached attributes and pages must go. Set once, before
  // requests are served.
  void SetKernelInvalidator(std::function<void(const std::string& path)> fn) { invalidate_kernel_ = std::move(fn); }
  // One namenode round trip as the mounting user, to fail early with a clear message.
  Status CheckConnection(const Caller& caller);
  // Completes every file still open for writing (at unmount).
  void CloseAll();

  // Namespace (cairn_fs_namespace.cc). `fh` is set when the kernel names an open file.
  int GetAttr(const Caller& c, const std::string& path, std::optional<uint64_t> fh, struct stat* out);
  int Access(const Caller& c, const std::string& path, int mask);
  int ReadLink(const Caller& c, const std::string& path, char* buf, size_t size);
  int Mkdir(const Caller& c, const std::string& path, mode_t mode);
  int Unlink(const Caller& c, const std::string& path);
  int Rmdir(const Caller& c, const std::string& path);
  int Symlink(const Caller& c, const std::string& target, const std::string& link);
  int Rename(const Caller& c, const std::string& from, const std::string& to, unsigned int flags);
  int Chmod(const Caller& c, const std::string& path, std::optional<uint64_t> fh, mode_t mode);
  int Chown(const Caller& c, const std::string& path, std::optional<uint64_t> fh, uid_t uid, gid_t gid);
  // times[0] access, times[1] modification; null: both now. UTIME_NOW/UTIME_OMIT honoured.
  int Utimens(const Caller& c, const std::string& path, std::optional<uint64_t> fh, const struct timespec* times);
  int StatFs(const Caller& c, struct statvfs* out);
  int OpenDir(const Caller& c, const std::string& path, uint64_t* fh);
  // fill(name, attributes (null for "." and ".."), next offset) returns false when the
  // reply is full. Entries' attributes also go to the attribute cache.
  using DirFill = std::function<bool(const std::string& name, const struct stat* st, uint64_t next_offset)>;
  int ReadDir(const Caller& c, uint64_t fh, uint64_t offset, const DirFill& fill);
  int ReleaseDir(uint64_t fh);

  // File data (cairn_fs_files.cc). Open and Create honour O_ACCMODE, O_TRUNC, O_APPEND,
  // O_EXCL.
  int Open(const Caller& c, const std::string& path, int flags, uint64_t* fh);
  int Create(const Caller& c, const std::string& path, mode_t mode, int flags, uint64_t* fh);
  // Bytes read or written, or -errno.
  int Read(uint64_t fh, char* buf, size_t size, uint64_t offset);
  int Write(uint64_t fh, const char* buf, size_t size, uint64_t offset);
  int Flush(uint64_t fh);
  int Fsync(uint64_t fh);
  int Release(uint64_t fh);
  int Truncate(const Caller& c, const std::string& path, std::optional<uint64_t> fh, uint64_t size);

  AttrCache& attr_cache() { return attrs_; }
  size_t open_files() const { return files_.size(); }

 private:
  std::string UserOf(const Caller& c);
  Result<std::shared_ptr<client::FileSystem>> ClientFor(const Caller& c);
  // Attributes from the cache, else the namenode (then cached); a file being written
  // through the mount reports the bytes written so far.
  Result<client::FileStatus> Lookup(const Caller& c, const std::string& path);
  // The path a request is about: the open file's when the kernel named one.
  std::string PathOf(const std::string& path, std::optional<uint64_t> fh) const;
  // An open found the file `length` bytes long: refresh what the caches say.
  void NoteOpenedLength(const std::string& user, const std::string& path, uint64_t length);
  int Changed(const char* op, const std::string& path, const Status& st);  // erase + errno

  const FuseSettings settings_;
  client::OpenOptions read_options_;
  ClientPool clients_;
  UserMap users_;
  AttrCache attrs_;
  OpenFileTable files_;
  std::function<void(const std::string&)> invalidate_kernel_;

  std::mutex dirs_mu_;
  uint64_t next_dir_ = 1;                                                  // guarded by dirs_mu_
  std::unordered_map<uint64_t, std::shared_ptr<DirHandle>> dirs_;         // guarded by dirs_mu_
};

}  // namespace cairn::fuse
