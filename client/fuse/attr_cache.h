// AttrCache: cairn-fuse's own cache of file attributes by path, so the kernel's lookups
// and getattrs (after its own cache expires, or for names a listing just returned) do not
// each cost a namenode call.
//
// Entries are per user: the namenode decides what each user may see, so one user's
// answer is never served to another. Entries live `ttl_ms` (the mount's attribute timeout; 0 disables the cache). Every
// change made through the mount erases what it touches: the path, its parent (whose
// mtime moved) and, for renames and deletes of directories, everything below. When full,
// expired entries are dropped, then the whole cache if that was not enough (the next
// lookups refill it). Changes made by other clients show after at most ttl_ms, as with
// the kernel's cache. Opening a file always asks the namenode (see CairnFs::Open).
//
// Thread-safety: all methods may be called from any thread; mu_ guards the map.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "client/file_system.h"

namespace cairn::fuse {

class AttrCache {
 public:
  AttrCache(int64_t ttl_ms, size_t max_entries);

  std::optional<client::FileStatus> Get(const std::string& user, const std::string& path);
  void Put(const std::string& user, const client::FileStatus& status);
  // The path and its parent directory, for every user.
  void Erase(const std::string& path);
  // The path, its parent and everything below the path, for every user.
  void EraseTree(const std::string& path);
  size_t size() const;

 private:
  struct Entry {
    client::FileStatus status;
    int64_t expires_ms = 0;  // monotonic
  };
  void ErasePath(const std::string& path);  // every user's entry; caller holds mu_
  void MakeRoom(int64_t now);              // caller holds mu_

  const int64_t ttl_ms_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  // guarded by mu_. Keyed "path\0user": one path's entries, and a subtree's, are one range.
  std::map<std::string, Entry> entries_;
};

}  // namespace cairn::fuse
