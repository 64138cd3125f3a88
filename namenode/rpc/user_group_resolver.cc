#include "namenode/rpc/user_group_resolver.h"

#include <grp.h>
#include <pwd.h>

#include <memory>

#include "common/clock.h"
#include "common/split.h"

namespace cairn::namenode {


Result<std::unique_ptr<UserGroupResolver>> UserGroupResolver::Create(const std::string& mapping, int64_t ttl_ms) {
  std::unordered_map<std::string, std::vector<std::string>> fixed;
  for (const std::string& piece : SplitTrimmed(mapping, ';')) {
    std::string_view entry = piece;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || TrimWhitespace(entry.substr(0, eq)).empty())
      return InvalidArgument("user group mapping entry '{}' is not user=group1,group2", entry);
    fixed[std::string(TrimWhitespace(entry.substr(0, eq)))] = SplitTrimmed(entry.substr(eq + 1), ',');
  }
  return std::unique_ptr<UserGroupResolver>(new UserGroupResolver(std::move(fixed), ttl_ms));
}

std::vector<std::string> UserGroupResolver::GroupsFor(const std::string& user) {
  if (auto it = static_.find(user); it != static_.end()) return it->second;
  int64_t now = MonotonicMillis();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(user);
    if (it != cache_.end() && it->second.expires_ms > now) return it->second.groups;
  }
  // The OS lookup may read files or ask a directory service: never under mu_.
  std::vector<std::string> groups = LookUpOs(user);
  std::lock_guard lock(mu_);
  if (cache_.size() > 100000) cache_.clear();  // bound memory against callers inventing names
  cache_[user] = Cached{groups, now + cache_ttl_ms_};
  return groups;
}

std::vector<std::string> UserGroupResolver::LookUpOs(const std::string& user) {
  std::vector<std::string> out;
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return out;
  int count = 64;
  std::vector<gid_t> gids(count);
  if (getgrouplist(user.c_str(), pw.pw_gid, gids.data(), &count) < 0) {
    gids.resize(count);
    if (getgrouplist(user.c_str(), pw.pw_gid, gids.data(), &count) < 0) count = 0;
  }
  gids.resize(count);
  // getgrouplist puts the primary group among the others; Hadoop lists it first.
  std::vector<gid_t> ordered = {pw.pw_gid};
  for (gid_t g : gids)
    if (g != pw.pw_gid) ordered.push_back(g);
  for (gid_t gid : ordered) {
    struct group gr {};
    struct group* gfound = nullptr;
    std::vector<char> gbuf(16384);
    if (getgrgid_r(gid, &gr, gbuf.data(), gbuf.size(), &gfound) == 0 && gfound != nullptr) {
      out.emplace_back(gfound->gr_name);
    }
  }
  return out;
}

}  // namespace cairn::namenode
