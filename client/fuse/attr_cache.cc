#include "client/fuse/attr_cache.h"

#include "common/clock.h"
#include "common/path.h"

namespace cairn::fuse {

namespace {
std::string Key(const std::string& user, const std::string& path) {
  std::string key;
  key.reserve(path.size() + 1 + user.size());
  key.append(path).push_back('\0');
  key.append(user);
  return key;
}
}  // namespace

AttrCache::AttrCache(int64_t ttl_ms, size_t max_entries) : ttl_ms_(ttl_ms), max_entries_(max_entries) {}

std::optional<client::FileStatus> AttrCache::Get(const std::string& user, const std::string& path) {
  if (ttl_ms_ <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key(user, path));
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_ms <= MonotonicMillis()) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.status;
}

void AttrCache::Put(const std::string& user, const client::FileStatus& status) {
  if (ttl_ms_ <= 0 || max_entries_ == 0) return;
  const int64_t now = MonotonicMillis();
  std::string key = Key(user, status.path);
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_ && entries_.count(key) == 0) MakeRoom(now);
  entries_[std::move(key)] = Entry{status, now + ttl_ms_};
}

void AttrCache::MakeRoom(int64_t now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.expires_ms <= now ? entries_.erase(it) : std::next(it);
  }
  if (entries_.size() >= max_entries_) entries_.clear();
}

void AttrCache::ErasePath(const std::string& path) {
  // "path\0" sorts before every "path\0user" and "path\1" after them.
  std::string from = path, to = path;
  from.push_back('\0');
  to.push_back('\1');
  entries_.erase(entries_.lower_bound(from), entries_.lower_bound(to));
}

void AttrCache::Erase(const std::string& path) {
  std::lock_guard lock(mu_);
  ErasePath(path);
  ErasePath(std::string(ParentPath(path)));
}

void AttrCache::EraseTree(const std::string& path) {
  std::lock_guard lock(mu_);
  ErasePath(path);
  ErasePath(std::string(ParentPath(path)));
  const std::string prefix = path == "/" ? "/" : path + "/";
  auto it = entries_.lower_bound(prefix);
  while (it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0) it = entries_.erase(it);
}

size_t AttrCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace cairn::fuse
