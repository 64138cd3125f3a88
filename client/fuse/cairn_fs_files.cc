// CairnFs: file data (open, create, read, write, flush, fsync, release, truncate).
#include <fcntl.h>

#include <cerrno>
#include <climits>

#include "client/fuse/cairn_fs.h"
#include "client/fuse/errno_map.h"
#include "client/fuse/read_handle.h"
#include "client/fuse/write_handle.h"

namespace cairn::fuse {

namespace {
constexpr uint32_t kWriteAccess = 2;
}  // namespace

int CairnFs::Open(const Caller& c, const std::string& path, int flags, uint64_t* fh) {
  const std::string user = UserOf(c);
  auto fs = clients_.For(user);
  if (!fs.ok()) return ErrnoFor("open", path, fs.status());
  const int access = flags & O_ACCMODE;
  if (access == O_RDONLY && (flags & O_TRUNC) == 0) {
    auto in = (*fs)->Open(path, read_options_);
    if (!in.ok()) return ErrnoFor("open", path, in.status());
    NoteOpenedLength(user, path, (*in)->Length());
    *fh = files_.Add(std::make_shared<ReadHandle>(path, std::move(*in)));
    return 0;
  }
  // Writing: the namenode's current view, not the cache's.
  auto st = (*fs)->Stat(path);
  if (!st.ok()) return ErrnoFor("open", path, st.status());
  if (st->is_dir) return -EISDIR;
  const bool append = (flags & O_APPEND) != 0;
  uint64_t length = files_.WrittenLength(path).value_or(st->length);
  std::unique_ptr<client::OutputStream> out;
  if ((flags & O_TRUNC) != 0 && length > 0) {
    if (auto writer = files_.WriterOf(path)) {
      // This mount is writing the file: cut it through that handle, which holds the lease.
      Status cut = writer->Truncate(0);
      if (!cut.ok()) return Changed("open", path, cut);
    } else {
      // Recreate it, keeping its permission, replication and block size.
      client::CreateOptions create;
      create.overwrite = true;
      create.create_parent = false;
      create.permission = st->permission;
      create.replication = st->replication;
      create.block_size = st->block_size;
      auto created = (*fs)->Create(path, create);
      if (!created.ok()) return Changed("open", path, created.status());
      out = std::move(*created);
    }
    length = 0;
  } else {
    // Refuse now what the first write would be refused, as open(2) does.
    Status allowed = (*fs)->CheckAccess(path, kWriteAccess);
    if (!allowed.ok()) return ErrnoFor("open", path, allowed);
  }
  attrs_.Erase(path);
  *fh = files_.Add(std::make_shared<WriteHandle>(*fs, path, std::move(out), length, append, read_options_));
  return 0;
}

int CairnFs::Create(const Caller& c, const std::string& path, mode_t mode, int flags, uint64_t* fh) {
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("create", path, fs.status());
  client::CreateOptions create;
  create.overwrite = false;
  create.create_parent = false;
  create.permission = mode & 07777;
  client::FileStatus created;
  auto out = (*fs)->Create(path, create, &created);
  if (!out.ok()) {
    if (out.status().code() == ErrorCode::kAlreadyExists && (flags & O_EXCL) == 0) return Open(c, path, flags, fh);
    return Changed("create", path, out.status());
  }
  attrs_.Erase(path);
  // The kernel asks for the new file's attributes next: the create answer has them.
  if (!created.path.empty()) attrs_.Put(UserOf(c), created);
  *fh = files_.Add(
      std::make_shared<WriteHandle>(*fs, path, std::move(*out), 0, (flags & O_APPEND) != 0, read_options_));
  return 0;
}

int CairnFs::Read(uint64_t fh, char* buf, size_t size, uint64_t offset) {
  auto file = files_.Get(fh);
  if (!file) return -EBADF;
  auto n = file->Read(offset, buf, std::min<size_t>(size, INT_MAX));
  if (!n.ok()) return ErrnoFor("read", file->path(), n.status());
  return static_cast<int>(*n);
}

int CairnFs::Write(uint64_t fh, const char* buf, size_t size, uint64_t offset) {
  auto file = files_.Get(fh);
  if (!file) return -EBADF;
  size = std::min<size_t>(size, INT_MAX);
  Status st = file->Write(offset, buf, size);
  if (!st.ok()) return ErrnoFor("write", file->path(), st);
  return static_cast<int>(size);
}

int CairnFs::Flush(uint64_t fh) {
  auto file = files_.Get(fh);
  if (!file) return -EBADF;
  if (!file->writable()) return 0;
  return Changed("flush", file->path(), file->Flush());
}

int CairnFs::Fsync(uint64_t fh) {
  auto file = files_.Get(fh);
  if (!file) return -EBADF;
  Status st = file->Fsync();
  return st.ok() ? 0 : ErrnoFor("fsync", file->path(), st);
}

int CairnFs::Release(uint64_t fh) {
  auto file = files_.Remove(fh);
  if (!file) return -EBADF;
  Status st = file->Release();
  if (file->writable()) attrs_.Erase(file->path());
  return st.ok() ? 0 : ErrnoFor("release", file->path(), st);
}

int CairnFs::Truncate(const Caller& c, const std::string& path, std::optional<uint64_t> fh, uint64_t size) {
  std::shared_ptr<OpenFile> file = fh ? files_.Get(*fh) : nullptr;
  const std::string p = file ? file->path() : path;
  if (!file || !file->writable()) file = files_.WriterOf(p);
  if (file) return Changed("truncate", p, file->Truncate(size));
  // A file nobody writes through this mount.
  auto fs = ClientFor(c);
  if (!fs.ok()) return ErrnoFor("truncate", p, fs.status());
  auto st = (*fs)->Stat(p);
  if (!st.ok()) return ErrnoFor("truncate", p, st.status());
  if (st->is_dir) return -EISDIR;
  if (size == st->length) return 0;
  if (size < st->length) return Changed("truncate", p, (*fs)->Truncate(p, size));
  WriteHandle extend(*fs, p, nullptr, st->length, /*append=*/false, {});
  Status extended = extend.Truncate(size);
  if (extended.ok()) extended = extend.Release();
  return Changed("truncate", p, extended);
}

}  // namespace cairn::fuse
