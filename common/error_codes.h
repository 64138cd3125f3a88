// The one table of Cairn error codes: for each ErrorCode its stable name, whether it is
// retryable, the gRPC status code it travels as on the native front door and the Java
// exception class name it travels as on the Hadoop IPC front door. Both front doors and
// both directions of mapping read this table; nothing else maps codes.
#pragma once

#include <string_view>

#include "common/status.h"

namespace cairn {

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;
  bool retryable;
  int grpc_code;                     // a grpc::StatusCode value
  std::string_view hadoop_exception;  // fully-qualified Java class name
};

const ErrorCodeInfo& InfoFor(ErrorCode code);

// Java exception class a Hadoop client expects for this status ("java.io.IOException" for
// codes with no closer match).
std::string_view HadoopExceptionClass(ErrorCode code);
// Best code for an exception class name sent by a Hadoop peer; kIoError when unknown.
ErrorCode FromHadoopException(std::string_view class_name);

}  // namespace cairn
