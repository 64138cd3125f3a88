// DirHandle: one opendir(3) of a directory through the mount, read a namenode page at a
// time so a directory of any size costs one page of memory.
//
// The kernel reads a directory in small pieces, each starting at the offset the previous
// piece ended with. Offsets here are positions in the sorted listing: 1 and 2 follow "."
// and "..", entry i (from 0) is followed by offset i + 3. The handle keeps the page that
// holds the current position and asks for the next page by name (getListing after the
// last name), so entries deleted meanwhile (rm -r) do not shift what comes next. Moving
// back (rewinddir, seekdir) reads again from the start.
//
// Thread-safety: any thread; mu_ serializes reads of one handle.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/file_system.h"

namespace cairn::fuse {

class DirHandle {
 public:
  DirHandle(std::shared_ptr<client::FileSystem> fs, std::string path) : fs_(std::move(fs)), path_(std::move(path)) {}

  // Entry callback: the entry's name, its status (null for "." and ".."), and the offset
  // that follows it; returns false when the caller's buffer is full.
  using Fill = std::function<bool(const std::string& name, const client::FileStatus* status, uint64_t next_offset)>;
  Status ReadFrom(uint64_t offset, const Fill& fill);

  const std::string& path() const { return path_; }

 private:
  // Makes page_ hold entry `index`, or leaves it at the end of the listing.
  Status Seek(uint64_t index);  // caller holds mu_
  Status NextPage();            // caller holds mu_

  const std::shared_ptr<client::FileSystem> fs_;
  const std::string path_;
  std::mutex mu_;
  std::vector<client::FileStatus> page_;  // guarded by mu_: entries page_start_ .. page_start_ + size - 1
  uint64_t page_start_ = 0;               // guarded by mu_
  bool loaded_ = false;                   // guarded by mu_: page_ holds a fetched page
  bool has_more_ = true;                  // guarded by mu_: pages follow page_
};

}  // namespace cairn::fuse
