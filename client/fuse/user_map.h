// UserMap: the local machine's user and group names for uids and gids, and back, through
// the passwd and group databases (getpwuid_r & co.), remembered once looked up.
//
// Cairn's namespace stores owner and group as names and the namenode checks permissions
// by user name, so every FUSE request's caller uid becomes a user name, chown's ids become
// names, and the names getattr returns become ids again. Ids with no name become their
// decimal text (and such text maps back to the id); names with no local id map to
// nobody (65534), as NFS does.
//
// Thread-safety: all methods may be called from any thread; mu_ guards the maps.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace cairn::fuse {

class UserMap {
 public:
  static constexpr uint32_t kNobody = 65534;

  std::string UserName(uid_t uid);
  std::string GroupName(gid_t gid);
  uid_t Uid(const std::string& user);
  gid_t Gid(const std::string& group);

 private:
  std::mutex mu_;
  std::unordered_map<uid_t, std::string> user_names_;   // guarded by mu_
  std::unordered_map<gid_t, std::string> group_names_;  // guarded by mu_
  std::unordered_map<std::string, uid_t> uids_;         // guarded by mu_
  std::unordered_map<std::string, gid_t> gids_;         // guarded by mu_
};

}  // namespace cairn::fuse
