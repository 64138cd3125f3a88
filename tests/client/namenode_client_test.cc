// NamenodeClient against an in-process fake namenode: user metadata, exact error codes,
// retries of retryable codes with backoff and the overall retry deadline.
#include "client/namenode_client.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "tests/client/fake_namenode.h"

namespace cairn::client {
namespace {

using testing::FakeNamenode;

// Requests and responses are proto2 with required fields: fill them all.
hh::GetFileInfoRequestProto InfoRequest() {
  hh::GetFileInfoRequestProto r;
  r.set_src("/x");
  return r;
}
hh::MkdirsRequestProto MkdirsRequest() {
  hh::MkdirsRequestProto r;
  r.set_src("/d");
  r.mutable_masked()->set_perm(0755);
  r.set_createparent(true);
  return r;
}

class NamenodeClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<NamenodeClient> Client(int retry_ms = 5000) {
    NamenodeClientSettings s;
    s.address = nn_.address();
    s.user = "alice";
    s.rpc_timeout_ms = 5000;
    s.rpc_retry_ms = retry_ms;
    auto c = NamenodeClient::Create(s);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }
  FakeNamenode nn_;
};

TEST_F(NamenodeClientTest, SendsTheUserAndReturnsTheResponse) {
  nn_.get_file_info = [](const auto& req, auto* resp) {
    auto* fs = resp->mutable_fs();
    fs->set_filetype(hh::HdfsFileStatusProto::IS_FILE);
    fs->set_path("");
    fs->set_length(req.src().size());
    fs->mutable_permission()->set_perm(0644);
    fs->set_owner("alice");
    fs->set_group("g");
    fs->set_modification_time(1);
    fs->set_access_time(1);
    return Status::OK();
  };
  nn_.Start();
  hh::GetFileInfoRequestProto req;
  req.set_src("/abc");
  auto resp = Client()->GetFileInfo(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->fs().length(), 4u);
  EXPECT_EQ(nn_.last_user(), "alice");
}

TEST_F(NamenodeClientTest, FinalErrorsComeBackExactlyAndAreNotRetried) {
  nn_.get_file_info = [](const auto&, auto*) { return PermissionDenied("Permission denied: user=alice"); };
  nn_.Start();
  auto resp = Client()->GetFileInfo(InfoRequest());
  EXPECT_EQ(resp.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(resp.status().message(), "Permission denied: user=alice");
  EXPECT_EQ(nn_.calls(), 1);
}

TEST_F(NamenodeClientTest, RetriesSafeModeUntilItSucceeds) {
  std::atomic<int> n{0};
  nn_.mkdirs = [&](const auto&, auto* resp) {
    if (++n < 3) return SafeMode("Name node is in safe mode");
    resp->set_result(true);
    return Status::OK();
  };
  nn_.Start();
  auto resp = Client()->Mkdirs(MkdirsRequest());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_TRUE(resp->result());
  EXPECT_EQ(nn_.calls(), 3);
}

TEST_F(NamenodeClientTest, GivesUpAfterTheRetryWindow) {
  nn_.mkdirs = [](const auto&, auto*) { return NotReplicatedYet("not yet"); };
  nn_.Start();
  const int64_t start = MonotonicMillis();
  auto resp = Client(/*retry_ms=*/600)->Mkdirs(MkdirsRequest());
  const int64_t took = MonotonicMillis() - start;
  EXPECT_EQ(resp.status().code(), ErrorCode::kNotReplicatedYet);
  EXPECT_GE(nn_.calls(), 3);  // 50 + 100 + 200 ms of backoff fit in the window
  EXPECT_LT(took, 3000);
}

TEST_F(NamenodeClientTest, NoRetryWhenAskedNot) {
  nn_.renew_lease = [](const auto&, auto*) { return Unavailable("busy"); };
  nn_.Start();
  hh::RenewLeaseRequestProto req;
  req.set_clientname("c");
  auto resp = Client()->RenewLease(req);
  EXPECT_EQ(resp.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(nn_.calls(), 1);
}

TEST_F(NamenodeClientTest, UnreachableNamenodeIsUnavailableNamingTheAddress) {
  nn_.Start();
  const std::string address = nn_.address();
  nn_.Stop();
  NamenodeClientSettings s;
  s.address = address;
  s.user = "alice";
  s.rpc_timeout_ms = 2000;
  s.rpc_retry_ms = 300;
  auto client = NamenodeClient::Create(s);
  ASSERT_TRUE(client.ok());
  auto resp = (*client)->GetFileInfo(InfoRequest());
  EXPECT_EQ(resp.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(resp.status().message().find(address), std::string::npos) << resp.status().ToString();
}

TEST(NamenodeClientCreateTest, RejectsBadAddresses) {
  for (const char* bad : {"", "localhost", "host:", ":80", "host:99999", "host:port"}) {
    NamenodeClientSettings s;
    s.address = bad;
    auto c = NamenodeClient::Create(s);
    EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace cairn::client
