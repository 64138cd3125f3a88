// TaskProcess: one task attempt's process (cairn-task), started by the executor with
// fork + exec in its own working directory and process group, with its stdout and stderr
// in files there, a memory limit (RLIMIT_DATA: heap and private writable mappings, the
// memory a task can actually use) and PR_SET_PDEATHSIG so that it dies with its datanode.
// Kill() sends SIGKILL to the whole group, which takes streaming commands down with it.
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

namespace cairn::compute {

struct TaskProcessOptions {
  std::string binary;
  std::vector<std::string> args;         // after argv[0]
  std::string work_dir;                  // cwd of the child
  std::string stdout_path;
  std::string stderr_path;
  uint64_t memory_limit_bytes = 0;       // 0: none
  std::vector<std::string> extra_env;    // NAME=value, added to the parent's environment (replacing)
};

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
};

}  // namespace cairn::compute
