// Status and Result<T>: how every Cairn module reports failure.
//
// A Status is an error code from the one project-wide list (ErrorCode) plus a message for
// humans. Exceptions never cross a module or RPC boundary; functions that can fail return
// Status, or Result<T> when they also produce a value. The code decides what the caller may
// do next: IsRetryable() codes are transport or load states (the same call may succeed
// later, possibly elsewhere); every other code is a final answer about the request.
// The mapping of each code to a gRPC status and to a Hadoop exception class lives in
// error_codes.cc, once.
//
// Thread-safety: values; copy freely.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace cairn {

enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument,      // malformed request or path
  kNotFound,             // file, directory, block or datanode does not exist
  kAlreadyExists,        // create/mkdir/rename target exists
  kPermissionDenied,     // HDFS permission check failed
  kDirectoryNotEmpty,    // non-recursive delete of a non-empty directory
  kParentNotDirectory,   // a path component that must be a directory is a file
  kIsDirectory,          // a file operation on a directory
  kNotDirectory,         // a directory operation on a file
  kAlreadyBeingCreated,  // another client holds the lease
  kLeaseExpired,         // caller no longer holds the lease it writes under
  kNotReplicatedYet,     // previous block lacks its minimum replicas; retry shortly
  kSafeMode,             // namenode is in safe mode; writes are refused for now
  kUnavailable,          // peer unreachable or shutting down; retry
  kTimedOut,             // deadline passed; retry
  kResourceExhausted,    // overloaded or out of space
  kNoSpace,              // a disk or the cluster is full
  kChecksumMismatch,     // stored or transferred bytes failed CRC verification
  kCorruption,           // on-disk structure is damaged
  kIoError,              // local I/O failed
  kProtocolError,        // peer sent bytes that do not follow the wire protocol
  kUnimplemented,        // the method or option is not supported
  kAborted,              // operation cancelled or superseded (e.g. stale generation stamp)
  kInternal,             // a bug: an invariant did not hold
};

// Stable lowercase name of the code, e.g. "not_found".
std::string_view ErrorCodeName(ErrorCode code);
// Reverse of ErrorCodeName; kInternal for unknown names.
ErrorCode ErrorCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True for transport and load states that a caller may retry.
  bool IsRetryable() const;
  // "not_found: /a/b does not exist" (or "OK").
  std::string ToString() const;
  // Prefixes the message with context: "reading blk_1: <message>".
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const = default;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Convenience constructors with fmt-style formatting: NotFound("{} does not exist", path).
#define CAIRN_STATUS_FACTORY(Name, Code)                                        \
  template <typename... Args>                                                   \
  Status Name(fmt::format_string<Args...> f, Args&&... args) {                  \
    return Status(ErrorCode::Code, fmt::format(f, std::forward<Args>(args)...)); \
  }
CAIRN_STATUS_FACTORY(InvalidArgument, kInvalidArgument)
CAIRN_STATUS_FACTORY(NotFound, kNotFound)
CAIRN_STATUS_FACTORY(AlreadyExists, kAlreadyExists)
CAIRN_STATUS_FACTORY(PermissionDenied, kPermissionDenied)
CAIRN_STATUS_FACTORY(DirectoryNotEmpty, kDirectoryNotEmpty)
CAIRN_STATUS_FACTORY(ParentNotDirectory, kParentNotDirectory)
CAIRN_STATUS_FACTORY(IsDirectory, kIsDirectory)
CAIRN_STATUS_FACTORY(NotDirectory, kNotDirectory)
CAIRN_STATUS_FACTORY(AlreadyBeingCreated, kAlreadyBeingCreated)
CAIRN_STATUS_FACTORY(LeaseExpired, kLeaseExpired)
CAIRN_STATUS_FACTORY(NotReplicatedYet, kNotReplicatedYet)
CAIRN_STATUS_FACTORY(SafeMode, kSafeMode)
CAIRN_STATUS_FACTORY(Unavailable, kUnavailable)
CAIRN_STATUS_FACTORY(TimedOut, kTimedOut)
CAIRN_STATUS_FACTORY(ResourceExhausted, kResourceExhausted)
CAIRN_STATUS_FACTORY(NoSpace, kNoSpace)
CAIRN_STATUS_FACTORY(ChecksumMismatch, kChecksumMismatch)
CAIRN_STATUS_FACTORY(Corruption, kCorruption)
CAIRN_STATUS_FACTORY(IoError, kIoError)
CAIRN_STATUS_FACTORY(ProtocolError, kProtocolError)
CAIRN_STATUS_FACTORY(Unimplemented, kUnimplemented)
CAIRN_STATUS_FACTORY(Aborted, kAborted)
CAIRN_STATUS_FACTORY(Internal, kInternal)
#undef CAIRN_STATUS_FACTORY

// IoError carrying strerror(errno_value).
Status ErrnoError(int errno_value, std::string_view what);

// A value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cairn

#define CAIRN_CONCAT_INNER(a, b) a##b
#define CAIRN_CONCAT(a, b) CAIRN_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when expr is not OK.
#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::cairn::Status _cairn_st = (expr);             \
    if (!_cairn_st.ok()) return _cairn_st;          \
  } while (0)

// Same, with context prepended to the message.
#define RETURN_IF_ERROR_CTX(expr, context)                           \
  do {                                                               \
    ::cairn::Status _cairn_st = (expr);                              \
    if (!_cairn_st.ok()) return _cairn_st.WithContext(context);      \
  } while (0)

// lhs = value of a Result<T> expression, or return its Status.
#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  auto CAIRN_CONCAT(_cairn_res_, __LINE__) = (expr);                         \
  if (!CAIRN_CONCAT(_cairn_res_, __LINE__).ok())                             \
    return CAIRN_CONCAT(_cairn_res_, __LINE__).status();                     \
  lhs = std::move(CAIRN_CONCAT(_cairn_res_, __LINE__)).value()
