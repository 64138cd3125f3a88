#include "common/status.h"

#include <array>
#include <cerrno>
#include <cstring>

#include "common/error_codes.h"

namespace cairn {
namespace {

// grpc::StatusCode values, spelled out so this file does not pull in gRPC headers.
constexpr int kGrpcInvalidArgument = 3, kGrpcDeadline = 4, kGrpcNotFound = 5,
              kGrpcAlreadyExists = 6, kGrpcPermissionDenied = 7, kGrpcResourceExhausted = 8,
              kGrpcFailedPrecondition = 9, kGrpcAborted = 10, kGrpcUnimplemented = 12,
              kGrpcInternal = 13, kGrpcUnavailable = 14, kGrpcDataLoss = 15;

using E = ErrorCode;
constexpr std::array<ErrorCodeInfo, 24> kTable = {{
    {E::kOk, "ok", false, 0, ""},
    {E::kInvalidArgument, "invalid_argument", false, kGrpcInvalidArgument,
     "org.apache.hadoop.HadoopIllegalArgumentException"},
    {E::kNotFound, "not_found", false, kGrpcNotFound, "java.io.FileNotFoundException"},
    {E::kAlreadyExists, "already_exists", false, kGrpcAlreadyExists,
     "org.apache.hadoop.fs.FileAlreadyExistsException"},
    {E::kPermissionDenied, "permission_denied", false, kGrpcPermissionDenied,
     "org.apache.hadoop.security.AccessControlException"},
    {E::kDirectoryNotEmpty, "directory_not_empty", false, kGrpcFailedPrecondition,
     "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException"},
    {E::kParentNotDirectory, "parent_not_directory", false, kGrpcFailedPrecondition,
     "org.apache.hadoop.fs.ParentNotDirectoryException"},
    {E::kIsDirectory, "is_directory", false, kGrpcFailedPrecondition,
     "org.apache.hadoop.fs.PathIsDirectoryException"},
    {E::kNotDirectory, "not_directory", false, kGrpcFailedPrecondition,
     "org.apache.hadoop.fs.PathIsNotDirectoryException"},
    {E::kAlreadyBeingCreated, "already_being_created", false, kGrpcFailedPrecondition,
     "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException"},
    {E::kLeaseExpired, "lease_expired", false, kGrpcFailedPrecondition,
     "org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException"},
    {E::kNotReplicatedYet, "not_replicated_yet", true, kGrpcUnavailable,
     "org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException"},
    {E::kSafeMode, "safe_mode", true, kGrpcUnavailable,
     "org.apache.hadoop.hdfs.server.namenode.SafeModeException"},
    {E::kUnavailable, "unavailable", true, kGrpcUnavailable, "org.apache.hadoop.ipc.RetriableException"},
    {E::kTimedOut, "timed_out", true, kGrpcDeadline, "java.net.SocketTimeoutException"},
    {E::kResourceExhausted, "resource_exhausted", true, kGrpcResourceExhausted,
     "org.apache.hadoop.ipc.RetriableException"},
    {E::kNoSpace, "no_space", false, kGrpcResourceExhausted,
     "org.apache.hadoop.util.DiskChecker$DiskOutOfSpaceException"},
    {E::kChecksumMismatch, "checksum_mismatch", false, kGrpcDataLoss, "org.apache.hadoop.fs.ChecksumException"},
    {E::kCorruption, "corruption", false, kGrpcDataLoss, "java.io.IOException"},
    {E::kIoError, "io_error", false, kGrpcInternal, "java.io.IOException"},
    {E::kProtocolError, "protocol_error", false, kGrpcInternal, "org.apache.hadoop.ipc.RpcServerException"},
    {E::kUnimplemented, "unimplemented", false, kGrpcUnimplemented,
     "org.apache.hadoop.ipc.RpcNoSuchMethodException"},
    {E::kAborted, "aborted", false, kGrpcAborted, "java.io.IOException"},
    {E::kInternal, "internal", false, kGrpcInternal, "java.io.IOException"},
}};
// The table is indexed by code: one row per enumerator, in declaration order.
constexpr bool TableInEnumOrder() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].code) != i) return false;
  }
  return static_cast<size_t>(E::kInternal) + 1 == kTable.size();
}
static_assert(TableInEnumOrder());

}  // namespace

const ErrorCodeInfo& InfoFor(ErrorCode code) {
  auto i = static_cast<size_t>(code);
  return i < kTable.size() ? kTable[i] : kTable[static_cast<size_t>(E::kInternal)];
}

std::string_view ErrorCodeName(ErrorCode code) { return InfoFor(code).name; }

ErrorCode ErrorCodeFromName(std::string_view name) {
  for (const auto& info : kTable) {
    if (info.name == name) return info.code;
  }
  return E::kInternal;
}

std::string_view HadoopExceptionClass(ErrorCode code) { return InfoFor(code).hadoop_exception; }

ErrorCode FromHadoopException(std::string_view class_name) {
  for (const auto& info : kTable) {
    if (info.hadoop_exception == class_name) return info.code;
  }
  return E::kIoError;
}

bool Status::IsRetryable() const { return InfoFor(code_).retryable; }

std::string Status::ToString() const {
  if (ok()) return "OK";
  return fmt::format("{}: {}", ErrorCodeName(code_), message_);
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, fmt::format("{}: {}", context, message_));
}

Status ErrnoError(int errno_value, std::string_view what) {
  ErrorCode code = ErrorCode::kIoError;
  if (errno_value == ENOSPC || errno_value == EDQUOT) code = ErrorCode::kNoSpace;
  if (errno_value == ENOENT) code = ErrorCode::kNotFound;
  if (errno_value == EACCES || errno_value == EPERM) code = ErrorCode::kPermissionDenied;
  if (errno_value == ETIMEDOUT || errno_value == EAGAIN) code = ErrorCode::kTimedOut;
  if (errno_value == ECONNREFUSED || errno_value == ECONNRESET || errno_value == EPIPE ||
      errno_value == EHOSTUNREACH || errno_value == ENETUNREACH)
    code = ErrorCode::kUnavailable;
  return Status(code, fmt::format("{}: {}", what, std::strerror(errno_value)));
}

}  // namespace cairn
