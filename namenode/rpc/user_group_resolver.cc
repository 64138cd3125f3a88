#include "namenode/rpc/user_group_resolver.h"

#include <grp.h>
#include <pwd.h>

#include <memory>

#include "common/clock.h"

namespace cairn::namenode {

namespace {
std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t next = s.find(sep, pos);
    if (next == std::string_view::npos) next = s.size();
    out.push_back(s.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}
}  // namespace

Result<std::unique_ptr<UserGroupResolver>> UserGroupResolver::Create(const std::string& mapping, int64_t ttl_ms) {
  std::unordered_map<std::string, std::vector<std::string>> fixed;
  for (std::string_view entry : Split(mapping, ';')) {
    entry = Trim(entry);
    if (entry.empty()) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || Trim(entry.substr(0, eq)).empty())
      return InvalidArgument("user group mapping entry '{}' is not user=group1,group2", entry);
    std::vector<std::string> groups;
    for (std::string_view g : Split(entry.substr(eq + 1), ',')) {
      g = Trim(g);
      if (!g.empty()) groups.emplace_back(g);
    }
    fixed[std::string(Trim(entry.substr(0, eq)))] = std::move(groups);
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
