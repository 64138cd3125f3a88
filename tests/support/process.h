// Subprocess: a child process started by a test (a namenode, a datanode, the CLI), with
// its output appended to a log file. The destructor kills (SIGKILL) and reaps the child if
// it still runs, so a failing test never leaves servers behind.
//
// Thread-safety: one owner thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::testing {

class Subprocess {
 public:
  Subprocess() = default;
  ~Subprocess();
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;

  // Starts argv[0] (a path) with argv; stdout and stderr append to log_path.
  // extra_env entries are "NAME=value".
  static Result<Subprocess> Start(const std::vector<std::string>& argv, const std::string& log_path,
                                  const std::vector<std::string>& extra_env = {});

  pid_t pid() const { return pid_; }
  bool running();
  Status Signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed).
  Result<int> Wait(int timeout_ms);
  // SIGTERM, then SIGKILL after timeout_ms.
  Status Stop(int timeout_ms = 10000);
  void Kill();

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs a command to completion; returns its exit code and captured stdout (and stderr when
// merge_stderr).
struct CommandResult {
  int exit_code = -1;
  std::string out;
};
Result<CommandResult> RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                                 const std::string& stdin_data = "", bool merge_stderr = true, int timeout_ms = 120000);

}  // namespace cairn::testing
