#include "common/status.h"

#include <gtest/gtest.h>

#include "common/error_codes.h"
#include "common/grpc_status.h"

namespace cairn {
namespace {

Status FailsWith(ErrorCode code) { return Status(code, "boom"); }

Status UsesReturnIfError(ErrorCode code, bool* reached_end) {
  RETURN_IF_ERROR(FailsWith(code));
  *reached_end = true;
  return Status::OK();
}

Result<int> Half(int v) {
  if (v % 2) return InvalidArgument("{} is odd", v);
  return v / 2;
}

Result<int> Quarter(int v) {
  ASSIGN_OR_RETURN(int h, Half(v));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::OK().ok());
  Status s = NotFound("{} does not exist", "/a");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: /a does not exist");
  EXPECT_EQ(s.WithContext("open").message(), "open: /a does not exist");
}

TEST(StatusTest, RetryableSplit) {
  EXPECT_TRUE(SafeMode("x").IsRetryable());
  EXPECT_TRUE(Unavailable("x").IsRetryable());
  EXPECT_TRUE(NotReplicatedYet("x").IsRetryable());
  EXPECT_FALSE(NotFound("x").IsRetryable());
  EXPECT_FALSE(PermissionDenied("x").IsRetryable());
}

TEST(StatusTest, Macros) {
  bool reached = false;
  EXPECT_EQ(UsesReturnIfError(ErrorCode::kIoError, &reached).code(), ErrorCode::kIoError);
  EXPECT_FALSE(reached);
  auto q = Quarter(12);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, 3);
  EXPECT_EQ(Quarter(6).status().code(), ErrorCode::kInvalidArgument);
}

TEST(StatusTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(ErrorCodeFromName(ErrorCodeName(code)), code) << ErrorCodeName(code);
  }
}

TEST(StatusTest, HadoopExceptionNames) {
  EXPECT_EQ(HadoopExceptionClass(ErrorCode::kNotFound), "java.io.FileNotFoundException");
  EXPECT_EQ(HadoopExceptionClass(ErrorCode::kAlreadyExists), "org.apache.hadoop.fs.FileAlreadyExistsException");
  EXPECT_EQ(HadoopExceptionClass(ErrorCode::kPermissionDenied), "org.apache.hadoop.security.AccessControlException");
  EXPECT_EQ(HadoopExceptionClass(ErrorCode::kDirectoryNotEmpty),
            "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException");
  EXPECT_EQ(FromHadoopException("org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException"),
            ErrorCode::kAlreadyBeingCreated);
  EXPECT_EQ(FromHadoopException("some.Unknown"), ErrorCode::kIoError);
}

TEST(StatusTest, GrpcRoundTripKeepsExactCode) {
  for (auto code : {ErrorCode::kDirectoryNotEmpty, ErrorCode::kParentNotDirectory, ErrorCode::kSafeMode,
                    ErrorCode::kChecksumMismatch}) {
    Status in(code, "msg");
    Status out = FromGrpcStatus(ToGrpcStatus(in));
    EXPECT_EQ(out, in);
  }
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")).code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace cairn
