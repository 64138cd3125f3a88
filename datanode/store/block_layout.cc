#include "datanode/store/block_layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/parse_number.h"

namespace cairn::datanode {

std::string CurrentDir(const std::string& root) { return root + "/current"; }
std::string FinalizedRoot(const std::string& root) { return root + "/current/finalized"; }
std::string RbwDir(const std::string& root) { return root + "/current/rbw"; }
std::string TmpDir(const std::string& root) { return root + "/current/tmp"; }

std::string FinalizedDir(const std::string& root, uint64_t block_id) {
  return fmt::format("{}/current/finalized/subdir{}/subdir{}", root, (block_id >> 16) & 0x1F, (block_id >> 8) & 0x1F);
}

std::string BlockFileName(uint64_t block_id) { return fmt::format("blk_{}", static_cast<int64_t>(block_id)); }

std::string MetaFileName(uint64_t block_id, uint64_t gen_stamp) {
  return fmt::format("blk_{}_{}.meta", static_cast<int64_t>(block_id), gen_stamp);
}

bool ParseBlockFileName(std::string_view name, uint64_t* block_id) {
  if (name.substr(0, 4) != "blk_") return false;
  int64_t id = 0;
  if (!ParseWholeNumber(name.substr(4), &id)) return false;
  *block_id = static_cast<uint64_t>(id);
  return true;
}

bool ParseMetaFileName(std::string_view name, uint64_t* block_id, uint64_t* gen_stamp) {
  if (name.substr(0, 4) != "blk_" || name.size() < 10 || name.substr(name.size() - 5) != ".meta") return false;
  std::string_view middle = name.substr(4, name.size() - 9);
  size_t us = middle.rfind('_');
  if (us == std::string_view::npos) return false;
  int64_t id = 0;
  uint64_t gs = 0;
  if (!ParseWholeNumber(middle.substr(0, us), &id) || !ParseWholeNumber(middle.substr(us + 1), &gs)) return false;
  *block_id = static_cast<uint64_t>(id);
  *gen_stamp = gs;
  return true;
}

Status MakeDirs(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::OK();
  if (errno != ENOENT) return ErrnoError(errno, "mkdir " + path);
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return ErrnoError(ENOENT, "mkdir " + path);
  RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::OK();
  return ErrnoError(errno, "mkdir " + path);
}

std::string ParentDir(const std::string& dir) {
  size_t slash = dir.rfind('/');
  return slash == std::string::npos || slash == 0 ? std::string("/") : dir.substr(0, slash);
}

namespace {
// Renames, creating to_dir when missing; *created says whether it had to.
Status RenameCreatingDir(const std::string& from, const std::string& to, const std::string& to_dir, bool* created) {
  if (::rename(from.c_str(), to.c_str()) == 0) return Status::OK();
  if (errno != ENOENT) return ErrnoError(errno, fmt::format("rename {} to {}", from, to));
  RETURN_IF_ERROR(MakeDirs(to_dir));
  *created = true;
  if (::rename(from.c_str(), to.c_str()) == 0) return Status::OK();
  return ErrnoError(errno, fmt::format("rename {} to {}", from, to));
}

Status SyncPath(const std::string& path, int flags, bool data_only) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open " + path);
  int rc = data_only ? ::fdatasync(fd) : ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError(err, "sync " + path);
  return Status::OK();
}
}  // namespace

Status SyncDir(const std::string& dir) { return SyncPath(dir, O_RDONLY | O_DIRECTORY, false); }

Status SyncReplicaFiles(const std::string& dir, uint64_t block_id, uint64_t gen_stamp) {
  RETURN_IF_ERROR(SyncPath(dir + "/" + BlockFileName(block_id), O_RDONLY, true));
  return SyncPath(dir + "/" + MetaFileName(block_id, gen_stamp), O_RDONLY, true);
}

Status MoveReplicaFiles(const std::string& from_dir, const std::string& to_dir, uint64_t block_id,
                        uint64_t old_gen_stamp, uint64_t new_gen_stamp, MoveDurability durability) {
  bool created = false;
  RETURN_IF_ERROR(RenameCreatingDir(from_dir + "/" + MetaFileName(block_id, old_gen_stamp),
                                    to_dir + "/" + MetaFileName(block_id, new_gen_stamp), to_dir, &created));
  if (from_dir != to_dir) {
    std::string data_from = from_dir + "/" + BlockFileName(block_id);
    std::string data_to = to_dir + "/" + BlockFileName(block_id);
    Status st = RenameCreatingDir(data_from, data_to, to_dir, &created);
    if (!st.ok()) {
      // Put the meta file back so the replica stays whole where it was.
      (void)::rename((to_dir + "/" + MetaFileName(block_id, new_gen_stamp)).c_str(),
                     (from_dir + "/" + MetaFileName(block_id, old_gen_stamp)).c_str());
      return st;
    }
  }
  if (durability == MoveDurability::kVolatile) return Status::OK();
  RETURN_IF_ERROR(SyncDir(to_dir));
  if (created) {
    // MakeDirs made at most the two subdir levels of the finalized tree (or rbw itself).
    std::string parent = ParentDir(to_dir);
    RETURN_IF_ERROR(SyncDir(parent));
    RETURN_IF_ERROR(SyncDir(ParentDir(parent)));
  }
  if (from_dir != to_dir) RETURN_IF_ERROR(SyncDir(from_dir));
  return Status::OK();
}

}  // namespace cairn::datanode
