// ChildProcess: a shell command run by a task (Hadoop Streaming's mapper, reducer or
// combiner) with pipes to its stdin, stdout and stderr, in a given working directory with
// extra environment variables. Started with posix_spawn (the task process has threads, so
// no fork). It stays in the task's process group, so the executor's kill reaches it.
// The destructor kills (SIGKILL) and reaps a child still running.
//
// Thread-safety: the three pipe ends may be used from three different threads; Wait and
// CloseStdin from the owner.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

class ChildProcess {
 public:
  // Runs `/bin/sh -c command`; extra_env entries are NAME=value and override the parent's.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const std::string& command, const std::string& cwd,
                                                     const std::vector<std::string>& extra_env);
  ~ChildProcess();

  int stdin_fd() const { return in_; }
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }
  void CloseStdin();
  // Waits for the exit; the exit code, or 128 + the signal that ended it.
  Result<int> Wait();

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
};

// Writes all of data to fd; kUnavailable when the reader is gone (EPIPE).
Status WriteAllToFd(int fd, const char* data, size_t n);

}  // namespace cairn::compute
