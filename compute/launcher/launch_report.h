// LaunchReport: what a task's child process (and the setuid task launcher it may exec)
// tells the executor through a close-on-exec pipe when a step before the task's own exec
// fails: which step, its errno, and from the launcher a line of text. A successful exec of
// the task closes the pipe with nothing written, so the executor learns of every start-up
// failure at Launch rather than as a mysterious exit code.
//
// Thread-safety: plain data.
#pragma once

#include <cstddef>

namespace cairn::compute {

enum class LaunchStep : int {
  kJoinCgroup = 1,
  kLimitMemory,
  kRedirect,
  kHandOver,
  kSwitchUser,
  kWorkDir,
  kExec,
  kLauncher,  // the task launcher refused or failed; a message follows the report
};

struct LaunchReport {
  LaunchStep step;
  int err;  // errno; for kLauncher the cairn::ErrorCode of the refusal
};

// The longest launcher message read after a kLauncher report.
constexpr size_t kLaunchMessageMax = 1024;

}  // namespace cairn::compute
