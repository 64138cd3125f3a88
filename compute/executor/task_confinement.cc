#include "compute/executor/task_confinement.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/split.h"
#include "compute/executor/task_launcher_client.h"
#include "compute/launcher/launcher_commands.h"
#include "compute/local_files.h"

namespace cairn::compute {

Result<std::unique_ptr<TaskConfinement>> TaskConfinement::Create(const ExecutorSettings& settings) {
  std::unique_ptr<TaskConfinement> c(new TaskConfinement());
  if (settings.unconfined_tasks) {
    spdlog::warn(
        "executor: --executor_unconfined_tasks: tasks run as this datanode's own account (uid {}) and can read and "
        "rewrite its block files; use it only where every job submitter is trusted",
        ::geteuid());
  } else {
    TaskUserPolicy& policy = c->policy_;
    policy.min_uid = static_cast<uid_t>(settings.min_task_uid);
    policy.allowed_system_users = SplitNonEmpty(settings.allowed_system_users, ',');
    c->per_job_user_ = settings.security.kerberos();
    ASSIGN_OR_RETURN(TaskUser user, ResolveTaskUser(settings.task_user, policy));
    c->launcher_ = settings.task_launcher;
    if (!c->launcher_.empty()) {
      // The launcher checks its config and this caller now, not at the first task.
      std::string ready;
      RETURN_IF_ERROR(RunTaskLauncher(c->launcher_, {"check"}, &ready).WithContext("--executor_task_launcher"));
      spdlog::info("executor: {}: {}", c->launcher_, ready);
    }
    if (c->per_job_user_ && ::geteuid() != 0 && c->launcher_.empty())
      return PermissionDenied(
          "--security=kerberos runs every task as its job's user, and switching users needs root or a task "
          "launcher (--executor_task_launcher), but this datanode runs as uid {}",
          ::geteuid());
    if (::geteuid() != 0 && ::geteuid() != user.uid && c->launcher_.empty())
      return PermissionDenied(
          "tasks must run as {} (--executor_task_user), and switching to it needs root, but this datanode runs as uid "
          "{}; run it as root, or pass --executor_unconfined_tasks to run tasks as this datanode's own account (they "
          "can then read its blocks)",
          user.name, ::geteuid());
    if (::geteuid() == user.uid)
      return PermissionDenied("--executor_task_user={} is the datanode's own account, which owns the block files",
                              user.name);
    c->user_ = std::move(user);
  }
  if (settings.cgroups != "off") {
    auto host = TaskCgroupHost::Detect(settings.cgroup_parent);
    if (host.ok()) {
      c->cgroups_ = std::move(*host);
    } else if (settings.cgroups == "required") {
      return host.status().WithContext("--executor_cgroups=required");
    } else {
      c->no_cgroups_reason_ = host.status().message();
    }
  } else {
    c->no_cgroups_reason_ = "--executor_cgroups=off";
  }
  if (!c->cgroups_)
    spdlog::warn(
        "executor: tasks run WITHOUT cgroup limits ({}): only RLIMIT_DATA limits their memory, nothing their CPU, and "
        "a kill reaches only their process group",
        c->no_cgroups_reason_);
  return c;
}

Result<TaskCgroup> TaskConfinement::Apply(const std::string& name, const CgroupLimits& limits,
                                          const std::string& job_user, TaskProcessOptions* options) const {
  std::optional<TaskUser> user = user_;
  if (user_ && per_job_user_) {
    auto resolved = ResolveTaskUser(job_user, policy_);
    if (!resolved.ok())
      return resolved.status().WithContext(
          fmt::format("--security=kerberos runs tasks as their job's user {}", job_user));
    if (resolved->uid == ::geteuid())
      return PermissionDenied("the job's user {} is the datanode's own account, which owns the block files",
                              job_user);
    user = std::move(*resolved);
  }
  TaskCgroup cgroup;
  if (cgroups_) {
    ASSIGN_OR_RETURN(cgroup, cgroups_->Create(name, limits));
    options->cgroup_procs_files = cgroup.procs_files();
    options->memory_limit_bytes = 0;  // the cgroup limits memory; RLIMIT_DATA would fail allocations first
  } else {
    options->memory_limit_bytes = limits.memory_bytes;
  }
  if (user) {
    if (!launcher_.empty()) {
      options->launcher = launcher_;  // it hands the work dir over, as root, after its own checks
      // Processes that left the task's process group are still the task account's.
      if (!cgroup.empty())
        cgroup.set_killer([launcher = launcher_, name = user->name](pid_t pid) {
          (void)RunTaskLauncher(launcher, SignalArguments(name, pid, SIGKILL));
        });
    } else if (::chown(options->work_dir.c_str(), user->uid, user->gid) != 0 ||
               ::chmod(options->work_dir.c_str(), 0700) != 0) {
      return ErrnoError(errno, fmt::format("give {} to the task user {}", options->work_dir, user->name));
    }
    options->run_as = user;
  }
  return cgroup;
}

Status TaskConfinement::RemoveTaskFiles(const std::string& path) const {
  Status st = RemoveTree(path);
  if (st.ok() || launcher_.empty()) return st;
  // A task may leave files this datanode cannot remove (a subdirectory it made private).
  Status through = RunTaskLauncher(launcher_, DeleteArguments(path));
  return through.ok() ? through : st.WithContext(through.message());
}

std::string TaskConfinement::Describe() const {
  std::string how = launcher_.empty() ? "" : " through " + launcher_;
  std::string who = per_job_user_ ? std::string("as the local account of each job's user")
                   : user_        ? fmt::format("as {} (uid {})", user_->name, user_->uid)
                                  : fmt::format("UNCONFINED as the datanode's uid {}", ::geteuid());
  std::string limits = cgroups_ ? "in " + cgroups_->Describe() : "without cgroups (" + no_cgroups_reason_ + ")";
  return "tasks run " + who + how + ", " + limits;
}

}  // namespace cairn::compute
