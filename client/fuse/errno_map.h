// The errno a FUSE reply carries for a Cairn Status, in one table.
//
// Final answers about the request map to their POSIX meaning (kNotFound -> ENOENT,
// kAlreadyExists -> EEXIST, kDirectoryNotEmpty -> ENOTEMPTY, kPermissionDenied -> EACCES,
// kIsDirectory -> EISDIR, kNotDirectory/kParentNotDirectory -> ENOTDIR, kUnimplemented ->
// EOPNOTSUPP, ...). Transport and cluster failures (unavailable, timed out, checksum,
// corruption, protocol, internal) become EIO, which tells the caller nothing, so
// ErrnoFor() logs them with the operation and path; expected answers (ENOENT on a lookup)
// are not logged.
//
// Thread-safety: pure functions (logging is thread-safe).
#pragma once

#include <string_view>

#include "common/status.h"

namespace cairn::fuse {

// Positive errno for a non-OK status (0 for OK).
int ToErrno(const Status& st);

// -errno for a FUSE reply, logging a warning line for EIO.
int ErrnoFor(std::string_view op, std::string_view path, const Status& st);

}  // namespace cairn::fuse
