#include "compute/launcher/task_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace cairn::compute {

Result<TaskUser> ResolveTaskUser(const std::string& name, const TaskUserPolicy& policy) {
  if (name.empty()) return InvalidArgument("no task user configured (--executor_task_user)");
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0) return ErrnoError(rc, "looking up the task user " + name);
  if (found == nullptr) return NotFound("no local account {} to run tasks as (--executor_task_user)", name);
  TaskUser user{name, pw.pw_uid, pw.pw_gid, {}};
  const bool allowed = std::find(policy.allowed_system_users.begin(), policy.allowed_system_users.end(), name) !=
                       policy.allowed_system_users.end();
  if (std::find(policy.banned_users.begin(), policy.banned_users.end(), name) != policy.banned_users.end())
    return PermissionDenied("tasks may not run as {}: it is a banned user", name);
  if (user.uid == 0 && !allowed) return PermissionDenied("tasks may not run as root ({})", name);
  if (user.uid < policy.min_uid && !allowed)
    return PermissionDenied("tasks may not run as the system account {} (uid {} is below {}={}; name it in {} to allow it)",
                            name, user.uid, policy.min_uid_setting, policy.min_uid, policy.allowed_setting);
  int n = 64;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  if (::getgrouplist(name.c_str(), user.gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<size_t>(n));
    if (::getgrouplist(name.c_str(), user.gid, groups.data(), &n) < 0) return Internal("getgrouplist {} failed", name);
  }
  groups.resize(static_cast<size_t>(n));
  user.groups.push_back(user.gid);
  for (gid_t g : groups)
    if (g != user.gid) user.groups.push_back(g);
  return user;
}

}  // namespace cairn::compute
