// HDFS permission model for other users: traverse, write on the parent, read for
// listings, ownership for setPermission/setOwner, the sticky bit, subtree checks for
// recursive delete, and the superuser (by name or by supergroup) bypassing everything.
#include <gtest/gtest.h>

#include "tests/namenode/namenode_harness.h"

namespace cairn::namenode::testing {
namespace {

class PermissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(h_.Mkdirs("/home", 0755));
    SetOwner("/home", "hdfs", "supergroup");
    ASSERT_OK(h_.Mkdirs("/home/alice", 0755));
    SetOwner("/home/alice", "alice", "staff");
  }

  void SetOwner(const std::string& path, const std::string& user, const std::string& group) {
    hh::SetOwnerRequestProto req;
    req.set_src(path);
    req.set_username(user);
    req.set_groupname(group);
    hh::SetOwnerResponseProto resp;
    ASSERT_OK(namenode::SetOwner(h_.nn(), h_.Super(), req, &resp));
  }

  Status Chmod(const CallContext& c, const std::string& path, uint32_t perm) {
    hh::SetPermissionRequestProto req;
    req.set_src(path);
    req.mutable_permission()->set_perm(perm);
    hh::SetPermissionResponseProto resp;
    return SetPermission(h_.nn(), c, req, &resp);
  }

  Status Chown(const CallContext& c, const std::string& path, const std::string& user, const std::string& group) {
    hh::SetOwnerRequestProto req;
    req.set_src(path);
    if (!user.empty()) req.set_username(user);
    if (!group.empty()) req.set_groupname(group);
    hh::SetOwnerResponseProto resp;
    return namenode::SetOwner(h_.nn(), c, req, &resp);
  }

  Status List(const CallContext& c, const std::string& path) {
    hh::GetListingRequestProto req;
    req.set_src(path);
    req.set_startafter("");
    req.set_needlocation(false);
    hh::GetListingResponseProto resp;
    return GetListing(h_.nn(), c, req, &resp);
  }

  NamenodeHarness h_;
};

TEST_F(PermissionTest, OtherUserCannotWriteAndGetsHdfsMessage) {
  Status st = h_.Mkdirs(h_.As("bob"), "/home/alice/x");
  ASSERT_EQ(st.code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(st.message(),
            "Permission denied: user=bob, access=WRITE, inode=\"/home/alice\":alice:staff:drwxr-xr-x");
  EXPECT_FALSE(h_.Stat("/home/alice/x"));
  EXPECT_EQ(h_.Create(h_.As("bob"), "/home/alice/f").status().code(), ErrorCode::kPermissionDenied);
  ASSERT_OK(h_.Mkdirs(h_.As("alice"), "/home/alice/x"));
  ASSERT_OK(h_.Create(h_.As("alice"), "/home/alice/x/f").status());
  EXPECT_EQ(h_.Stat("/home/alice/x/f")->owner(), "alice");
  EXPECT_EQ(h_.Stat("/home/alice/x/f")->group(), "staff");
}

TEST_F(PermissionTest, GroupBitsApplyToGroupMembers) {
  ASSERT_OK(Chmod(h_.As("alice"), "/home/alice", 0775));
  ASSERT_OK(h_.Mkdirs(h_.As("carol"), "/home/alice/by-carol"));  // carol is in staff
  EXPECT_EQ(h_.Mkdirs(h_.As("bob"), "/home/alice/by-bob").code(), ErrorCode::kPermissionDenied);
}

TEST_F(PermissionTest, TraverseNeedsExecute) {
  ASSERT_OK(h_.Mkdirs(h_.As("alice"), "/home/alice/priv/deep"));
  ASSERT_OK(Chmod(h_.As("alice"), "/home/alice/priv", 0700));
  Status st = List(h_.As("bob"), "/home/alice/priv/deep");
  ASSERT_EQ(st.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(st.message().find("access=EXECUTE"), std::string::npos) << st.message();
  hh::GetFileInfoRequestProto req;
  req.set_src("/home/alice/priv/deep");
  hh::GetFileInfoResponseProto resp;
  EXPECT_EQ(GetFileInfo(h_.nn(), h_.As("bob"), req, &resp).code(), ErrorCode::kPermissionDenied);
  ASSERT_OK(List(h_.As("alice"), "/home/alice/priv/deep"));
}

TEST_F(PermissionTest, ListingNeedsReadExecute) {
  ASSERT_OK(h_.Mkdirs(h_.As("alice"), "/home/alice/noread"));
  ASSERT_OK(Chmod(h_.As("alice"), "/home/alice/noread", 0711));
  Status st = List(h_.As("bob"), "/home/alice/noread");
  ASSERT_EQ(st.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(st.message().find("access=READ_EXECUTE"), std::string::npos);
}

TEST_F(PermissionTest, ReadingAFileNeedsRead) {
  ASSERT_OK(h_.Create(h_.As("alice"), "/home/alice/secret", "c", hh::CREATE, 0600).status());
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/home/alice/secret", "c"));
  EXPECT_TRUE(closed);
  hh::GetBlockLocationsRequestProto req;
  req.set_src("/home/alice/secret");
  req.set_offset(0);
  req.set_length(100);
  hh::GetBlockLocationsResponseProto resp;
  EXPECT_EQ(GetBlockLocations(h_.nn(), h_.As("bob"), req, &resp).code(), ErrorCode::kPermissionDenied);
  ASSERT_OK(GetBlockLocations(h_.nn(), h_.As("alice"), req, &resp));
  EXPECT_TRUE(resp.locations().IsInitialized());
}

TEST_F(PermissionTest, ChmodAndChownRules) {
  ASSERT_OK(h_.Touch("/home/alice/f"));
  SetOwner("/home/alice/f", "alice", "alice");
  EXPECT_EQ(Chmod(h_.As("bob"), "/home/alice/f", 0777).code(), ErrorCode::kPermissionDenied);
  ASSERT_OK(Chmod(h_.As("alice"), "/home/alice/f", 0600));
  EXPECT_EQ(h_.Stat("/home/alice/f")->permission().perm(), 0600u);
  // Owner changes need the superuser; group changes need ownership and membership.
  Status st = Chown(h_.As("alice"), "/home/alice/f", "bob", "");
  EXPECT_EQ(st.code(), ErrorCode::kPermissionDenied);
  ASSERT_OK(Chown(h_.As("alice"), "/home/alice/f", "", "staff"));
  EXPECT_EQ(h_.Stat("/home/alice/f")->group(), "staff");
  EXPECT_EQ(Chown(h_.As("alice"), "/home/alice/f", "", "bob").code(), ErrorCode::kPermissionDenied);
  ASSERT_OK(Chown(h_.As("admin"), "/home/alice/f", "bob", "bob"));  // supergroup member
  EXPECT_EQ(h_.Stat("/home/alice/f")->owner(), "bob");
  EXPECT_EQ(Chown(h_.Super(), "/missing", "a", "").code(), ErrorCode::kNotFound);
}

TEST_F(PermissionTest, StickyBitRestrictsDeleteAndRename) {
  ASSERT_OK(h_.Mkdirs("/tmp", 01777));
  EXPECT_EQ(h_.Stat("/tmp")->permission().perm(), 01777u);
  ASSERT_OK(h_.Create(h_.As("alice"), "/tmp/a").status());
  ASSERT_OK_AND_ASSIGN(bool closed, h_.Complete("/tmp/a"));
  EXPECT_TRUE(closed);
  auto del = h_.Delete(h_.As("bob"), "/tmp/a", false);
  ASSERT_EQ(del.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(del.status().message().find("sticky bit"), std::string::npos);
  hh::RenameRequestProto r;
  r.set_src("/tmp/a");
  r.set_dst("/tmp/b");
  hh::RenameResponseProto rr;
  EXPECT_EQ(Rename(h_.nn(), h_.As("bob"), r, &rr).code(), ErrorCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(bool deleted, h_.Delete(h_.As("alice"), "/tmp/a", false));
  EXPECT_TRUE(deleted);
}

TEST_F(PermissionTest, RecursiveDeleteChecksTheSubtree) {
  ASSERT_OK(Chmod(h_.As("alice"), "/home/alice", 0777));
  ASSERT_OK(h_.Mkdirs(h_.As("bob"), "/home/alice/tree/locked"));
  ASSERT_OK(h_.Touch("/home/alice/tree/locked/f"));
  ASSERT_OK(Chmod(h_.As("bob"), "/home/alice/tree/locked", 0500));
  auto st = h_.Delete(h_.As("bob"), "/home/alice/tree", true);
  EXPECT_EQ(st.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(h_.Stat("/home/alice/tree/locked/f"));
  ASSERT_OK(Chmod(h_.As("bob"), "/home/alice/tree/locked", 0700));
  ASSERT_OK_AND_ASSIGN(bool deleted, h_.Delete(h_.As("bob"), "/home/alice/tree", true));
  EXPECT_TRUE(deleted);
}

TEST_F(PermissionTest, SuperuserBypassesChecks) {
  ASSERT_OK(Chmod(h_.Super(), "/home/alice", 0000));
  ASSERT_OK(h_.Mkdirs(h_.Super(), "/home/alice/root-made"));
  ASSERT_OK(h_.Mkdirs(h_.As("admin"), "/home/alice/admin-made"));
  EXPECT_EQ(h_.Mkdirs(h_.As("alice"), "/home/alice/x").code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace cairn::namenode::testing
