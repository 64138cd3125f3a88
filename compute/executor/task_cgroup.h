// Task cgroups: each task process runs in a cgroup of its own with the memory and CPU
// limits of its request, so a task that allocates past its share is killed by the kernel
// (and reported so: the cgroup counts its OOM kills) instead of pushing the datanode out
// of memory, and a kill reaches every process the task started, even ones that left its
// process group.
//
// TaskCgroupHost finds where this process may create cgroups, once, when the executor
// starts:
//   - cgroup v2: a cgroup2 mount whose cgroup for this process (or --executor_cgroup_parent)
//     can enable the memory and cpu controllers for its children;
//   - cgroup v1 (hybrid machines, such as this project's build machines): the memory and
//     cpu hierarchies, each at this process's own cgroup there.
// Under that it makes cairn-executor-<pid>/ and one child per task: memory.max (v1:
// memory.limit_in_bytes and memsw so swap is no way out) and cpu.max (v1: CFS quota) of
// cpu_slots CPUs. Where neither works, Detect says why, and the executor either refuses
// to run tasks (--executor_cgroups=required) or logs once, loudly, that tasks run without
// cgroup limits (auto: the RLIMIT_DATA limit of TaskProcess then still applies).
//
// The child joins its cgroup itself, between fork and exec, by writing "0" into each
// procs file (TaskProcessOptions::cgroup_procs_files), so nothing runs outside it.
//
// Thread-safety: TaskCgroupHost is immutable after Detect; a TaskCgroup has one owner.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

struct CgroupLimits {
  uint64_t memory_bytes = 0;  // 0: no memory limit
  uint32_t cpu_slots = 0;     // 0: no CPU limit
};

class TaskCgroup {
 public:
  TaskCgroup() = default;
  TaskCgroup(TaskCgroup&&) noexcept = default;
  TaskCgroup& operator=(TaskCgroup&&) noexcept = default;
  TaskCgroup(const TaskCgroup&) = delete;
  TaskCgroup& operator=(const TaskCgroup&) = delete;
  // Kills what is left inside and removes the directories.
  ~TaskCgroup();

  bool empty() const { return dirs_.empty(); }
  // The files the task's child writes "0" into to join (one per hierarchy).
  std::vector<std::string> procs_files() const;
  const CgroupLimits& limits() const { return limits_; }
  // How many times the kernel killed a process here for reaching the memory limit.
  uint64_t OomKills() const;
  // SIGKILL to every process inside (v2: cgroup.kill; v1: each pid, through the killer).
  void KillAll() const;
  // How KillAll kills one process on v1 (default: kill(pid, SIGKILL)). A datanode that is
  // not root cannot signal its tasks' accounts, so it kills through the task launcher.
  using Killer = std::function<void(pid_t)>;
  void set_killer(Killer killer) { killer_ = std::move(killer); }
  // KillAll, then removes the directories, waiting briefly for dying processes to leave.
  Status Remove();

 private:
  friend class TaskCgroupHost;
  bool v2_ = false;
  std::vector<std::string> dirs_;  // v2: one; v1: memory first, then cpu
  CgroupLimits limits_;
  Killer killer_;
};

class TaskCgroupHost {
 public:
  enum class Kind { kV2, kV1 };
  // parent: an existing cgroup v2 directory delegated to this process; empty: find one.
  static Result<std::unique_ptr<TaskCgroupHost>> Detect(const std::string& parent = "");
  ~TaskCgroupHost();

  Kind kind() const { return kind_; }
  // Where task cgroups go, for logs: "cgroup v1 (memory /sys/fs/cgroup/memory/..., cpu ...)".
  std::string Describe() const;
  // Makes the cgroup of one task (name: a safe attempt id) with these limits.
  Result<TaskCgroup> Create(const std::string& name, const CgroupLimits& limits) const;

 private:
  TaskCgroupHost() = default;
  Kind kind_ = Kind::kV2;
  std::vector<std::string> roots_;  // cairn-executor-<pid> dirs: v2 one; v1 memory, cpu
};

}  // namespace cairn::compute
