// Absolute path parsing and validation with HDFS's rules.
//
// A valid path starts with '/', its components are 1..kMaxComponentBytes bytes, contain no
// NUL, '/' or ':' and are not "." or "..", and the whole path is at most kMaxPathBytes.
// One trailing '/' is tolerated ("/a/b/" is "/a/b"); "//" inside a path is not.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn {

constexpr size_t kMaxComponentBytes = 255;
constexpr size_t kMaxPathBytes = 8000;

// Components of a valid absolute path; "/" has none. The views point into `path`.
Result<std::vector<std::string_view>> SplitPath(std::string_view path);

// Checks one name (a file or directory name inside a parent).
Status ValidateComponent(std::string_view name);

// "/a/b" + "c" -> "/a/b/c"; "/" + "c" -> "/c".
std::string JoinPath(std::string_view parent, std::string_view name);

// "/a/b/c" -> "/a/b"; "/a" -> "/"; "/" -> "/".
std::string_view ParentPath(std::string_view path);
// "/a/b/c" -> "c"; "/" -> "".
std::string_view BaseName(std::string_view path);

}  // namespace cairn
