#include "compute/executor/executor_settings.h"

#include "compute/resources.h"

namespace cairn::compute {

Status ExecutorSettings::Validate() const {
  if (cpu_slots < 0) return InvalidArgument("--executor_cpu_slots must not be negative");
  if (gpus < -1) return InvalidArgument("--executor_gpus must be -1 (probe) or a device count");
  if (auto ids = SelectGpus({}, gpus, gpu_ids); !ids.ok()) return ids.status().WithContext("--executor_gpu_ids");
  if (heartbeat_interval_ms < 10) return InvalidArgument("--executor_heartbeat_interval_ms must be at least 10");
  if (shuffle_port < 0 || shuffle_port > 65535) return InvalidArgument("--executor_shuffle_port out of range");
  if (shuffle_threads < 1) return InvalidArgument("--executor_shuffle_threads must be at least 1");
  if (rpc_timeout_ms < 1) return InvalidArgument("--executor_rpc_timeout_ms must be positive");
  if (monitor_interval_ms < 1) return InvalidArgument("--executor_monitor_interval_ms must be positive");
  if (cgroups != "auto" && cgroups != "required" && cgroups != "off")
    return InvalidArgument("--executor_cgroups must be auto, required or off, not '{}'", cgroups);
  if (!task_launcher.empty() && unconfined_tasks)
    return InvalidArgument("--executor_task_launcher and --executor_unconfined_tasks contradict each other");
  if (!task_launcher.empty() && task_launcher[0] != '/')
    return InvalidArgument("--executor_task_launcher must be an absolute path, not '{}'", task_launcher);
  if (min_task_uid < 0) return InvalidArgument("--executor_min_task_uid must not be negative");
  return Status::OK();
}

void AddExecutorFlags(FlagSet& flags, ExecutorSettings* s) {
  flags.Add("executor_jobmaster", &s->jobmaster, "cairn-jobmaster address HOST:PORT; empty: run no compute executor");
  flags.Add("executor_work_dir", &s->work_dir, "task working dirs and map outputs (default <first data dir>/executor)");
  flags.Add("executor_cpu_slots", &s->cpu_slots, "task slots offered to the job master (0 = online CPUs)");
  flags.Add("executor_memory", &s->memory, "memory offered to tasks (0 = physical memory)");
  flags.Add("executor_gpus", &s->gpus,
            "GPUs offered (-1 = what CUDA finds; N = N devices, declared when fewer are found)");
  flags.Add("executor_gpu_ids", &s->gpu_ids, "exact GPU device ids offered, e.g. 0,2 (overrides --executor_gpus)");
  flags.Add("executor_heartbeat_interval_ms", &s->heartbeat_interval_ms, "heartbeat period to the job master");
  flags.Add("executor_shuffle_port", &s->shuffle_port, "gRPC port serving map outputs (0 = pick a free port)");
  flags.Add("executor_shuffle_threads", &s->shuffle_threads, "concurrent map output fetches served");
  flags.Add("executor_task_binary", &s->task_binary, "the cairn-task binary (default: next to this binary)");
  flags.Add("executor_rpc_timeout_ms", &s->rpc_timeout_ms, "deadline of each call to the job master");
  flags.Add("executor_monitor_interval_ms", &s->monitor_interval_ms, "how often running task processes are checked");
  flags.Add("executor_ml_worker_binary", &s->ml_worker_binary, "the cairn-ml-worker binary (default: next to this binary)");
  flags.Add("executor_ml_cache", &s->ml_cache, "per ML job: parsed partitions its worker on this node keeps in memory");
  flags.Add("executor_task_user", &s->task_user,
            "the local account every task, streaming command and ML worker runs as (never the datanode's own)");
  flags.Add("executor_min_task_uid", &s->min_task_uid,
            "task accounts with a lower uid (system accounts) and root are refused, unless allowed below");
  flags.Add("executor_allowed_system_users", &s->allowed_system_users,
            "comma-separated accounts allowed as task users although below --executor_min_task_uid");
  flags.Add("executor_cgroups", &s->cgroups,
            "auto: a cgroup per task where cgroups work (a loud warning where not); required: refuse to start "
            "without them; off: never");
  flags.Add("executor_cgroup_parent", &s->cgroup_parent,
            "a delegated cgroup v2 directory for the task cgroups (default: found from this process's cgroup)");
  flags.Add("executor_task_launcher", &s->task_launcher,
            "the setuid-root cairn-task-launcher that starts tasks as their account, so this datanode need not run "
            "as root (its root-owned etc/cairn/task-launcher.cfg decides who may run as whom); empty: switch "
            "users in this process, which needs root");
  flags.Add("executor_unconfined_tasks", &s->unconfined_tasks,
            "run tasks as the datanode's own account (they can then read and rewrite its block files)");
}

}  // namespace cairn::compute
