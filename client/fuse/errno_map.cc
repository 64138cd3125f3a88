#include "client/fuse/errno_map.h"

#include <cerrno>

#include <spdlog/spdlog.h>

namespace cairn::fuse {

int ToErrno(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kOk: return 0;
    case ErrorCode::kInvalidArgument: return EINVAL;
    case ErrorCode::kNotFound: return ENOENT;
    case ErrorCode::kAlreadyExists: return EEXIST;
    case ErrorCode::kPermissionDenied: return EACCES;
    case ErrorCode::kDirectoryNotEmpty: return ENOTEMPTY;
    case ErrorCode::kParentNotDirectory: return ENOTDIR;
    case ErrorCode::kIsDirectory: return EISDIR;
    case ErrorCode::kNotDirectory: return ENOTDIR;
    case ErrorCode::kAlreadyBeingCreated: return EBUSY;  // another writer holds the file
    case ErrorCode::kSafeMode: return EROFS;             // the namenode refuses changes for now
    case ErrorCode::kNoSpace: return ENOSPC;
    case ErrorCode::kResourceExhausted: return ENOSPC;
    case ErrorCode::kUnimplemented: return EOPNOTSUPP;
    case ErrorCode::kLeaseExpired:
    case ErrorCode::kNotReplicatedYet:
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimedOut:
    case ErrorCode::kChecksumMismatch:
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kProtocolError:
    case ErrorCode::kAborted:
    case ErrorCode::kInternal: return EIO;
  }
  return EIO;
}

int ErrnoFor(std::string_view op, std::string_view path, const Status& st) {
  const int e = ToErrno(st);
  if (e == EIO) {
    spdlog::warn("{} {}: {} (EIO)", op, path, st.ToString());
  } else if (e == EOPNOTSUPP) {
    spdlog::warn("{} {}: {} (EOPNOTSUPP)", op, path, st.ToString());
  } else if (e != 0) {
    spdlog::debug("{} {}: {}", op, path, st.ToString());
  }
  return -e;
}

}  // namespace cairn::fuse
