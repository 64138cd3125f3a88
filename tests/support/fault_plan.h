// Switching a daemon's fault seam on and off from a test: the seams read their plan file
// (common/watched_file.h) on every call, so the plan is swapped in whole by a rename and
// switched off by removing it. Header-only test code.
//
// Thread-safety: plain functions on local files.
#pragma once

#include <cerrno>
#include <cstdio>
#include <string>

#include "common/status.h"
#include "tests/support/test_util.h"

namespace cairn::testing {

// Makes `text` the plan at `path` at once (the seam never reads half of it).
inline Status SetFaultPlan(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  RETURN_IF_ERROR(WriteLocalFile(tmp, text));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError(errno, "rename " + tmp);
  return Status::OK();
}

// No plan: no faults.
inline void ClearFaultPlan(const std::string& path) { std::remove(path.c_str()); }

}  // namespace cairn::testing
