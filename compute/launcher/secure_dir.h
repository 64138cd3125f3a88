// Path walks for a privileged process acting on paths an unprivileged caller names: every
// component is opened relative to the one before with O_NOFOLLOW, so a symlink anywhere in
// the path (planted before the call or swapped in during it) is refused rather than
// followed, and later work happens on the open descriptor, never on the name again. This
// is what lets the setuid task launcher chown a work dir or delete a task's files without
// being talked into doing it somewhere else.
//
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::compute {

// Checks that `path` is absolute and plain (no empty, "." or ".." components, no trailing
// slash) and lies strictly under `root` (itself plain), e.g. /a/b/c under /a.
bool IsPlainPathUnder(std::string_view path, std::string_view root);

// Opens the directory `path` (absolute, plain) walking from "/" without following any
// symlink: O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC. The caller closes the descriptor.
Result<int> OpenDirectoryNoFollow(const std::string& path);

// Removes the entry `name` of the open directory `dir_fd` and, if it is a directory,
// everything below it, through descriptors only: a symlink is unlinked, never followed.
Status RemoveTreeAt(int dir_fd, const std::string& name);

// The directory part and the last component of an absolute plain path.
std::pair<std::string, std::string> SplitLastComponent(const std::string& path);

}  // namespace cairn::compute
