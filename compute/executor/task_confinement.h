// TaskConfinement: what keeps the tasks an executor runs away from the datanode that runs
// them, decided once when the executor starts and applied to every process it launches
// (task attempts and ML workers alike):
//   - the local account tasks run as (TaskUser; never the datanode's own, which owns the
//     block files; switching needs the datanode to run as root, as YARN's
//     LinuxContainerExecutor needs its setuid container-executor): in simple mode one
//     account for every task (--executor_task_user), in kerberos mode the account of the
//     job's user, looked up for each process under the same policy (no such account,
//     root or a system account: the task fails to start, saying why);
//   - a cgroup per process with its request's memory and CPU (TaskCgroupHost), or a loud
//     start-up warning and RLIMIT_DATA where cgroups cannot be used (--executor_cgroups=auto;
//     `required` refuses to start instead, `off` never tries);
//   - the process's work dir handed to that account (mode 0700), the only place it may
//     write, and in kerberos mode unreadable by other users' tasks.
// With --executor_task_launcher the datanode need not be root: the setuid launcher
// (compute/launcher/) switches users, hands the work dir to the task's account and the
// launcher's caller group (mode 2770, so this datanode can still read the task's status
// and map outputs), signals tasks and deletes what the datanode cannot.
// --executor_unconfined_tasks keeps the old behaviour (tasks as the datanode's account),
// for a datanode that cannot switch users; it is logged as the hole it is.
//
// Thread-safety: immutable after Create; Apply is safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "compute/executor/executor_settings.h"
#include "compute/executor/task_cgroup.h"
#include "compute/executor/task_process.h"
#include "compute/launcher/task_user.h"

namespace cairn::compute {

class TaskConfinement {
 public:
  static Result<std::unique_ptr<TaskConfinement>> Create(const ExecutorSettings& settings);

  // Confines the process `options` describes: makes its cgroup `name` with `limits` (or
  // sets RLIMIT_DATA without cgroups), gives options.work_dir to the task account and
  // sets options.run_as. The returned cgroup (empty without cgroups) must outlive the
  // process; its OomKills() tells whether the kernel killed it for memory.
  // job_user: the job's user, whose account the process runs as in kerberos mode.
  Result<TaskCgroup> Apply(const std::string& name, const CgroupLimits& limits, const std::string& job_user,
                           TaskProcessOptions* options) const;

  // Removes a task's files: itself, else (with a launcher) through the launcher.
  Status RemoveTaskFiles(const std::string& path) const;

  // The account tasks run as in simple mode (kerberos mode: the account the start-up
  // probe runs as, `nobody` by default); nullopt when unconfined.
  const std::optional<TaskUser>& user() const { return user_; }
  bool has_cgroups() const { return cgroups_ != nullptr; }
  // One line for the start-up log: who tasks run as and what limits them.
  std::string Describe() const;

 private:
  TaskConfinement() = default;
  std::optional<TaskUser> user_;
  bool per_job_user_ = false;  // kerberos mode
  TaskUserPolicy policy_;
  std::string launcher_;  // --executor_task_launcher; empty: switch users here
  std::unique_ptr<TaskCgroupHost> cgroups_;
  std::string no_cgroups_reason_;
};

}  // namespace cairn::compute
