// The executor's side of cairn-task-launcher (compute/launcher/launcher_commands.h): runs
// one of its commands and turns its exit and its stderr into a Status. Launching a task
// through it is TaskProcess's job (TaskProcessOptions::launcher); this covers the rest:
// the start-up check, signals to tasks and deleting task files.
//
// Thread-safety: stateless; safe from any thread (posix_spawn, then waitpid on that pid).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::compute {

// Runs `launcher args...` to completion: OK on exit 0, otherwise an error carrying what it
// printed on stderr ("cairn-task-launcher: ..."). Output on stdout goes to *out if given
// (both without trailing newlines).
Status RunTaskLauncher(const std::string& launcher, const std::vector<std::string>& args, std::string* out = nullptr);

}  // namespace cairn::compute
