#include "client/fuse/user_map.h"

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <optional>
#include <utility>
#include <vector>

#include "common/parse_number.h"

namespace cairn::fuse {

namespace {

// Runs a get*_r lookup (growing the buffer on ERANGE) and returns take(entry) while the
// buffer the entry points into still exists; nullopt when there is no entry.
template <typename Entry, typename Fn, typename Take>
auto LookUp(Fn fn, Take take) -> std::optional<decltype(take(std::declval<const Entry&>()))> {
  std::vector<char> buf(4096);
  for (;;) {
    Entry entry{};
    Entry* result = nullptr;
    const int rc = fn(&entry, buf.data(), buf.size(), &result);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || result == nullptr) return std::nullopt;
    return take(entry);
  }
}

std::optional<uint32_t> ParseId(const std::string& text) {
  uint32_t v = 0;
  if (!ParseWholeNumber(text, &v)) return std::nullopt;
  return v;
}

}  // namespace

std::string UserMap::UserName(uid_t uid) {
  {
    std::lock_guard lock(mu_);
    if (auto it = user_names_.find(uid); it != user_names_.end()) return it->second;
  }
  std::string name =
      LookUp<passwd>([uid](passwd* e, char* b, size_t n, passwd** r) { return getpwuid_r(uid, e, b, n, r); },
                     [](const passwd& e) { return std::string(e.pw_name); })
          .value_or(std::to_string(uid));
  std::lock_guard lock(mu_);
  user_names_[uid] = name;
  return name;
}

std::string UserMap::GroupName(gid_t gid) {
  {
    std::lock_guard lock(mu_);
    if (auto it = group_names_.find(gid); it != group_names_.end()) return it->second;
  }
  std::string name =
      LookUp<group>([gid](group* e, char* b, size_t n, group** r) { return getgrgid_r(gid, e, b, n, r); },
                    [](const group& e) { return std::string(e.gr_name); })
          .value_or(std::to_string(gid));
  std::lock_guard lock(mu_);
  group_names_[gid] = name;
  return name;
}

uid_t UserMap::Uid(const std::string& user) {
  {
    std::lock_guard lock(mu_);
    if (auto it = uids_.find(user); it != uids_.end()) return it->second;
  }
  uid_t uid = kNobody;
  if (auto found = LookUp<passwd>(
          [&user](passwd* e, char* b, size_t n, passwd** r) { return getpwnam_r(user.c_str(), e, b, n, r); },
          [](const passwd& e) { return e.pw_uid; })) {
    uid = *found;
  } else if (auto id = ParseId(user)) {
    uid = *id;
  }
  std::lock_guard lock(mu_);
  uids_[user] = uid;
  return uid;
}

gid_t UserMap::Gid(const std::string& group_name) {
  {
    std::lock_guard lock(mu_);
    if (auto it = gids_.find(group_name); it != gids_.end()) return it->second;
  }
  gid_t gid = kNobody;
  if (auto found = LookUp<group>(
          [&group_name](group* e, char* b, size_t n, group** r) { return getgrnam_r(group_name.c_str(), e, b, n, r); },
          [](const group& e) { return e.gr_gid; })) {
    gid = *found;
  } else if (auto id = ParseId(group_name)) {
    gid = *id;
  }
  std::lock_guard lock(mu_);
  gids_[group_name] = gid;
  return gid;
}

}  // namespace cairn::fuse
