// The commands of cairn-task-launcher (the setuid-root helper of launcher_config.h), each
// checked against the root-owned config before it does anything as root:
//   launch  hands the task's work dir to the task account (owner) and the caller group
//           (mode 2770, the files the executor put there too), switches to the account
//           (groups, gid, uid, no_new_privs, umask 007, parent-death signal) and execs the
//           task with the descriptors the executor arranged (0..2, 3..3+fds-1);
//   signal  sends a signal to a task's process group as the task account, so a datanode
//           that is not root can kill the tasks it started and nothing else;
//   delete  removes a tree under a work root through descriptors (never following a
//           symlink), for task files the datanode cannot remove itself;
//   check   validates the config and the caller, for the executor's start-up.
// A caller must be root or a member of caller_group.
//
// Thread-safety: the launcher is one single-threaded process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "compute/launcher/launcher_config.h"

namespace cairn::compute {

struct LauncherCaller {
  uid_t uid = 0;  // the real ids of the process that ran the launcher
  gid_t gid = 0;
  std::vector<gid_t> groups;
  pid_t parent = 0;  // its parent at start (the datanode): the task dies with it
  static LauncherCaller OfThisProcess();
};

struct LaunchCommand {
  std::string user;
  std::string work_dir;
  int handed_fds = 0;              // descriptors 3 .. 3 + handed_fds - 1 go to the task
  int report_fd = -1;              // where a failure is reported (LaunchReport + message)
  std::vector<std::string> argv;   // the task's binary and its arguments
};

// Root or a member of caller_group; PermissionDenied otherwise.
Status CheckCaller(const LauncherConfig& config, const LauncherCaller& caller);

// Resolves the task account under the config's policy, refusing members of caller_group.
Result<TaskUser> ResolveLaunchUser(const LauncherConfig& config, const std::string& name);

// Does not return on success (the task runs in this process).
Status RunLaunch(const LauncherConfig& config, const LauncherCaller& caller, const LaunchCommand& command);
Status RunSignal(const LauncherConfig& config, const std::string& user, pid_t pid, int signal);
Status RunDelete(const LauncherConfig& config, const std::string& path);

// The arguments of each command after the binary, built in one place for the executor
// (task_launcher_client.h) and parsed here.
std::vector<std::string> LaunchArguments(const std::string& user, const std::string& work_dir, int handed_fds,
                                         int report_fd);
std::vector<std::string> SignalArguments(const std::string& user, pid_t pid, int signal);
std::vector<std::string> DeleteArguments(const std::string& path);

// Parses and runs one command line (argv[0] is the launcher); returns what to exit with.
int LauncherMain(int argc, char** argv);

}  // namespace cairn::compute
