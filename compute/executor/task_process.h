// TaskProcess: one task attempt's process (cairn-task), started by the executor with
// fork + exec in its own working directory and process group, with its stdout and stderr
// in files there and PR_SET_PDEATHSIG so that it dies with its datanode. Kill() sends
// SIGKILL to the whole group, which takes streaming commands down with it.
//
// Confinement, all applied in the child between fork and exec so nothing of the task ever
// runs unconfined:
//   - it joins its cgroups (TaskCgroup: memory and CPU limits), or, without one, gets a
//     memory limit through RLIMIT_DATA (heap and private writable mappings);
//   - it switches to the task's local account (TaskUser: groups, gid, uid) with
//     no_new_privs, so no setuid binary can take it back; with a task launcher
//     (options.launcher, compute/launcher/launcher_commands.h) the child execs the
//     setuid launcher instead, which checks the switch against its own root-owned config,
//     does it and execs the task, so the datanode need not be root; Kill() then signals
//     through the launcher too;
//   - its environment is built, not inherited: a short allow-list of the parent's
//     (PATH, locale, time zone, the task log level) plus what the executor sets, so no
//     daemon variable or credential (KRB5CCNAME, keytab paths, tokens) reaches it;
//   - it sees no descriptor of the datanode but stdin (/dev/null), its two log files and
//     the ones handed over on purpose (inherited_fds: open block files of its splits,
//     which the task's account could not open by path).
//
// Launch forks from the calling thread; that thread must live as long as the child should
// (PR_SET_PDEATHSIG fires when it exits). The executor launches from its heartbeat thread.
//
// Thread-safety: one owner thread at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "compute/launcher/task_user.h"

namespace cairn::compute {

struct TaskProcessOptions {
  std::string binary;
  std::vector<std::string> args;         // after argv[0]
  std::string work_dir;                  // cwd of the child
  std::string stdout_path;
  std::string stderr_path;
  uint64_t memory_limit_bytes = 0;       // RLIMIT_DATA; 0: none (use 0 when a cgroup limits memory)
  std::vector<std::string> extra_env;    // NAME=value, on top of the allow-listed parent variables
  std::optional<TaskUser> run_as;        // the account to switch to (the parent must be root); none: stay
  std::string launcher;                  // with run_as: cairn-task-launcher switches instead of the child
  std::vector<std::string> cgroup_procs_files;  // joined before anything else (TaskCgroup::procs_files)
  std::vector<int> inherited_fds;        // become descriptors 3, 4, ... of the child (the caller keeps its own)
};

// The child's environment: the parent's PATH, LANG, LANGUAGE, LC_*, TZ and
// CAIRN_TASK_LOG_LEVEL / CAIRN_ML_THREADS, HOME, TMPDIR (the work dir) and USER/LOGNAME
// (with run_as), then extra_env, which wins.
std::vector<std::string> TaskEnvironment(const TaskProcessOptions& options);

class TaskProcess {
 public:
  TaskProcess() = default;
  ~TaskProcess();
  TaskProcess(TaskProcess&& other) noexcept;
  TaskProcess& operator=(TaskProcess&& other) noexcept;
  TaskProcess(const TaskProcess&) = delete;
  TaskProcess& operator=(const TaskProcess&) = delete;

  // Starts the child; an exec failure (no such binary, ...) is reported here.
  static Result<TaskProcess> Launch(const TaskProcessOptions& options);

  // The exit code (128 + signal when killed by one) once the child has ended; nullopt
  // while it runs.
  Result<std::optional<int>> Poll();
  // SIGKILL to the child's process group.
  void Kill();
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  std::string launcher_;  // signals go through it, as the task's account
  std::string user_;
};

}  // namespace cairn::compute
