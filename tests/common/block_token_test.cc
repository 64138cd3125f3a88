// BlockKeyRing: tokens the namenode signs verify on a datanode that adopted its keys, and
// every way a token can be wrong is refused with a reason.
#include <memory>

#include <gtest/gtest.h>

#include "common/block_token.h"

namespace cairn {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // a fixed wall clock, in ms

std::unique_ptr<BlockKeyRing> NamenodeRing(int64_t lifetime_ms = 60'000, int64_t interval_ms = 600'000) {
  BlockKeyRingOptions o;
  o.token_lifetime_ms = lifetime_ms;
  o.key_update_interval_ms = interval_ms;
  auto ring = std::make_unique<BlockKeyRing>(o);
  ring->RollIfDue(kNow);
  return ring;
}

TEST(BlockTokenTest, TokenSignedByTheNamenodeVerifiesOnADatanode) {
  auto nn_ring = NamenodeRing();
  BlockKeyRing& nn = *nn_ring;
  BlockKeyRing dn;
  dn.Adopt(nn.Export());
  EXPECT_EQ(dn.version(), nn.version());
  auto token = nn.Issue("alice", "BP-1", 42, kBlockRead, kNow);
  EXPECT_EQ(token.kind(), "HDFS_BLOCK_TOKEN");
  EXPECT_TRUE(dn.Check(token, 42, kBlockRead, kNow + 1000).ok());
  auto id = DecodeBlockToken(token);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->user_id(), "alice");
  EXPECT_EQ(id->block_pool_id(), "BP-1");
  EXPECT_EQ(id->block_id(), 42u);
  EXPECT_EQ(id->expiry_date(), static_cast<uint64_t>(kNow + 60'000));
}

TEST(BlockTokenTest, WrongTokensAreRefusedWithTheReason) {
  auto nn_ring = NamenodeRing();
  BlockKeyRing& nn = *nn_ring;
  BlockKeyRing dn;
  dn.Adopt(nn.Export());
  auto read = nn.Issue("alice", "BP-1", 42, kBlockRead, kNow);
  auto expect_refused = [&](const hadoop::common::TokenProto& t, uint64_t block, uint32_t mode, int64_t now,
                            const std::string& why) {
    Status st = dn.Check(t, block, mode, now);
    EXPECT_EQ(st.code(), ErrorCode::kPermissionDenied) << why;
    EXPECT_NE(st.message().find(why), std::string::npos) << st.message();
  };
  expect_refused(EmptyBlockToken(), 42, kBlockRead, kNow, "missing");
  expect_refused(read, 43, kBlockRead, kNow, "is for blk_42, not blk_43");
  expect_refused(read, 42, kBlockWrite, kNow, "doesn't have WRITE permission");
  expect_refused(read, 42, kBlockRead, kNow + 60'000, "expired");
  auto forged = read;
  forged.mutable_password()->back() ^= 1;
  expect_refused(forged, 42, kBlockRead, kNow, "invalid password");
  // Changing the identifier (a longer expiry, another block) breaks the signature.
  auto id = DecodeBlockToken(read);
  id->set_block_id(43);
  auto moved = read;
  moved.set_identifier(id->SerializeAsString());
  expect_refused(moved, 43, kBlockRead, kNow, "invalid password");
  auto garbage = read;
  garbage.set_identifier("\xff\xff\xff");
  expect_refused(garbage, 42, kBlockRead, kNow, "malformed");
  // A token from another namenode (keys this datanode never saw).
  auto other = NamenodeRing();
  expect_refused(other->Issue("alice", "BP-1", 42, kBlockRead, kNow), 42, kBlockRead, kNow, "doesn't exist");
}

TEST(BlockTokenTest, OldKeysVerifyUntilTheyExpireAfterARoll) {
  auto nn_ring = NamenodeRing(/*lifetime_ms=*/60'000, /*interval_ms=*/100'000);
  BlockKeyRing& nn = *nn_ring;
  auto before = nn.Issue("bob", "BP-1", 7, kBlockRead | kBlockWrite, kNow);
  const uint64_t v = nn.version();
  nn.RollIfDue(kNow + 50'000);
  EXPECT_EQ(nn.version(), v);  // not due yet
  nn.RollIfDue(kNow + 100'000);
  EXPECT_GT(nn.version(), v);
  auto after = nn.Issue("bob", "BP-1", 7, kBlockRead, kNow + 100'000);
  EXPECT_NE(DecodeBlockToken(before)->key_id(), DecodeBlockToken(after)->key_id());
  BlockKeyRing dn;
  dn.Adopt(nn.Export());
  EXPECT_TRUE(dn.Check(before, 7, kBlockWrite, kNow + 59'000).ok());
  EXPECT_TRUE(dn.Check(after, 7, kBlockRead, kNow + 100'000).ok());
  // Two intervals and a lifetime later the first key is gone.
  nn.RollIfDue(kNow + 200'000);
  nn.RollIfDue(kNow + 300'000);
  dn.Adopt(nn.Export());
  EXPECT_EQ(dn.Check(before, 7, kBlockRead, kNow).code(), ErrorCode::kPermissionDenied);
}

TEST(BlockTokenTest, TokensOffAllowsEverythingAndIssuesTheEmptyToken) {
  BlockKeyRingOptions o;
  o.tokens_enabled = false;
  BlockKeyRing nn(o);
  nn.RollIfDue(kNow);
  auto t = nn.Issue("alice", "BP-1", 1, kBlockRead, kNow);
  EXPECT_TRUE(t.identifier().empty());
  BlockKeyRing dn;
  dn.Adopt(nn.Export());
  EXPECT_FALSE(dn.tokens_enabled());
  EXPECT_TRUE(dn.Check(EmptyBlockToken(), 1, kBlockWrite, kNow).ok());
  // A datanode that has heard nothing from a namenode yet refuses (it cannot check).
  BlockKeyRing fresh;
  EXPECT_EQ(fresh.Check(EmptyBlockToken(), 1, kBlockRead, kNow).code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace cairn
