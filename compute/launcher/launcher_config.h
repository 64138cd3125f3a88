// LauncherConfig: the root-owned settings of cairn-task-launcher, the setuid-root helper
// that starts each task as its job's local account (as YARN's container-executor does),
// so that the datanode itself need not run as root.
//
// The file is <dir of the launcher binary>/../etc/cairn/task-launcher.cfg, found from
// /proc/self/exe (which the kernel fills in, not the caller). It, the binary and every
// directory above them must be owned by root and writable by nobody else (a sticky
// directory such as /tmp is allowed), else the launcher refuses to run: whoever could
// edit the config could make the launcher start processes as anyone. Lines are
// `key=value`, `#` starts a comment:
//   caller_group=cairn            the group whose members (the datanode's account) may
//                                 call the launcher; task dirs are given to it (mode 2770)
//                                 so the datanode can read what tasks write
//   work_roots=/var/lib/cairn/executor,...   task work dirs must lie strictly under one
//   min_uid=1000                  accounts below it (and root) are refused...
//   allowed_system_users=...      ...unless named here
//   banned_users=hdfs,yarn        never allowed
// A task account that belongs to caller_group is refused too: it could run the launcher.
//
// Thread-safety: a value.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "compute/launcher/task_user.h"

namespace cairn::compute {

struct LauncherConfig {
  std::string caller_group;
  gid_t caller_gid = 0;
  std::vector<std::string> work_roots;
  TaskUserPolicy policy;
};

// Parses the text of a config file; `resolve_group` false skips the group lookup (tests
// of the syntax alone).
Result<LauncherConfig> ParseLauncherConfig(std::string_view text, bool resolve_group = true);

// Where the config of the launcher at `binary` lives.
std::string LauncherConfigPath(const std::string& binary);

// Checks that `path` and every directory above it belong to root and are not writable by
// group or others (directories with the sticky bit excepted).
Status CheckRootOwnedPath(const std::string& path);

// Finds this binary (/proc/self/exe), checks it and its config with CheckRootOwnedPath,
// and parses the config.
Result<LauncherConfig> LoadLauncherConfig();

}  // namespace cairn::compute
