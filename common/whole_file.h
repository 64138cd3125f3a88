// ReadWholeFile: a small local file (a PEM file, a cgroup control file, a task's result)
// read in one call. kNotFound when it does not exist.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "common/status.h"

namespace cairn {

Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace cairn
