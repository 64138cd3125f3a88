// Status codes to errno: the final answers keep their POSIX meaning, transport and
// cluster failures are EIO, and ErrnoFor negates.
#include "client/fuse/errno_map.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace cairn::fuse {
namespace {

TEST(ErrnoMapTest, FinalAnswers) {
  EXPECT_EQ(ToErrno(Status::OK()), 0);
  EXPECT_EQ(ToErrno(NotFound("x")), ENOENT);
  EXPECT_EQ(ToErrno(AlreadyExists("x")), EEXIST);
  EXPECT_EQ(ToErrno(DirectoryNotEmpty("x")), ENOTEMPTY);
  EXPECT_EQ(ToErrno(PermissionDenied("x")), EACCES);
  EXPECT_EQ(ToErrno(IsDirectory("x")), EISDIR);
  EXPECT_EQ(ToErrno(NotDirectory("x")), ENOTDIR);
  EXPECT_EQ(ToErrno(ParentNotDirectory("x")), ENOTDIR);
  EXPECT_EQ(ToErrno(Unimplemented("x")), EOPNOTSUPP);
  EXPECT_EQ(ToErrno(InvalidArgument("x")), EINVAL);
  EXPECT_EQ(ToErrno(NoSpace("x")), ENOSPC);
  EXPECT_EQ(ToErrno(SafeMode("x")), EROFS);
  EXPECT_EQ(ToErrno(AlreadyBeingCreated("x")), EBUSY);
}

TEST(ErrnoMapTest, TransportAndClusterFailuresAreEio) {
  for (const Status& st : {Unavailable("x"), TimedOut("x"), ChecksumMismatch("x"), Corruption("x"), IoError("x"),
                           ProtocolError("x"), Internal("x"), Aborted("x"), LeaseExpired("x")}) {
    EXPECT_EQ(ToErrno(st), EIO) << st.ToString();
    EXPECT_EQ(ErrnoFor("read", "/f", st), -EIO);
  }
  EXPECT_EQ(ErrnoFor("stat", "/f", NotFound("x")), -ENOENT);
  EXPECT_EQ(ErrnoFor("stat", "/f", Status::OK()), 0);
}

}  // namespace
}  // namespace cairn::fuse
