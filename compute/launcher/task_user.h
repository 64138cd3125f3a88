// TaskUser: the local account a task process runs as, resolved once before the fork that
// starts it (getpwnam is not async-signal-safe, the forked child only switches ids).
//
// Tasks never run as the datanode's own account: that account owns the block files. In
// simple mode every task runs as one unprivileged account (--executor_task_user, like
// YARN's nonsecure-mode local user; `nobody` by default). Root and system accounts (uid
// below --executor_min_task_uid, like YARN's min.user.id) are refused unless named in
// --executor_allowed_system_users, so a mistyped setting cannot hand tasks the keys of the
// machine.
//
// The setuid task launcher (task_launcher.h) applies the same policy from its own
// root-owned config, so the datanode's flags cannot loosen it.
//
// Thread-safety: a value; ResolveTaskUser is thread-safe (getpwnam_r).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

struct TaskUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, the primary one first
};

struct TaskUserPolicy {
  uid_t min_uid = 1000;
  std::vector<std::string> allowed_system_users;  // allowed although below min_uid (or root)
  std::vector<std::string> banned_users;          // never allowed (the launcher's banned_users)
  // What the refusals name as the settings to change (the launcher names its config keys).
  std::string min_uid_setting = "--executor_min_task_uid";
  std::string allowed_setting = "--executor_allowed_system_users";
};

// Looks the account up and applies the policy: NotFound for no such account,
// PermissionDenied for root or a system account that the policy does not allow.
Result<TaskUser> ResolveTaskUser(const std::string& name, const TaskUserPolicy& policy);

}  // namespace cairn::compute
