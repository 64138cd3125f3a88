// OpenFileTable: the mount's open files by FUSE file handle (the number the kernel gives
// back with every read, write, flush and release of that open).
//
// Besides lookup by handle it answers two questions about paths: how long a file being
// written through the mount is so far (getattr must report the bytes written, not the
// namenode's count of completed blocks, or the kernel would shrink its idea of the size),
// and, after a rename through the mount, which handles follow the new path.
//
// Thread-safety: all methods may be called from any thread; mu_ guards the maps and is
// never held while a handle does I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/fuse/open_file.h"

namespace cairn::fuse {

class OpenFileTable {
 public:
  uint64_t Add(std::shared_ptr<OpenFile> file);
  std::shared_ptr<OpenFile> Get(uint64_t fh) const;
  std::shared_ptr<OpenFile> Remove(uint64_t fh);
  // The longest length any writer of `path` has written so far, if one has bytes pending.
  std::optional<uint64_t> WrittenLength(const std::string& path) const;
  // A writable handle of `path`, if any.
  std::shared_ptr<OpenFile> WriterOf(const std::string& path) const;
  void Renamed(const std::string& from, const std::string& to);
  // Empties the table (at unmount), handing back what was open.
  std::vector<std::shared_ptr<OpenFile>> TakeAll();
  size_t size() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_fh_ = 1;                                                // guarded by mu_
  std::unordered_map<uint64_t, std::shared_ptr<OpenFile>> files_;      // guarded by mu_
  std::unordered_map<uint64_t, std::shared_ptr<OpenFile>> writers_;    // guarded by mu_: the writable subset
};

}  // namespace cairn::fuse
