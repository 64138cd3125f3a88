// ReadWholeFile: a small local file (a PEM file, a cgroup control file, a task's result)
// read in one call. kNotFound when it does not exist. WriteWholeFile: the other way, made
// durable (fsync) before it returns, either as a new file that never replaces an existing
// one (keys and certificates) or replacing whatever is there all at once, through a
// temporary file and a rename (token files).
//
// Thread-safety: pure functions.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

Result<std::string> ReadWholeFile(const std::string& path);

enum class FileWrite {
  kCreateNew,          // fail if `path` exists
  kReplaceAtomically,  // write PATH.tmp, then rename it over `path`
};
Status WriteWholeFile(const std::string& path, std::string_view data, mode_t mode, FileWrite how);

}  // namespace cairn
