// DelegationTokenManager: tokens verify until their renew date, renewals move it (never
// past the max date) only for the renewer, cancellation by owner or renewer kills a token
// at once, forged and foreign tokens are refused with a reason, failed stores change
// nothing, and the stored record brings every live token back after a restart.
#include <gtest/gtest.h>

#include "namenode/delegation_token_manager.h"

namespace cairn::namenode {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

struct Store {
  std::optional<std::string> record;
  bool fail = false;
  DelegationTokenManager::Persist persist() {
    return [this](const std::string& r) -> Status {
      if (fail) return IoError("disk gone");
      record = r;
      return Status::OK();
    };
  }
};

DelegationTokenOptions Options() {
  DelegationTokenOptions o;
  o.renew_interval_ms = 10'000;
  o.max_lifetime_ms = 25'000;
  o.key_update_interval_ms = 5'000;
  return o;
}

TEST(DelegationTokenManagerTest, TokensLiveUntilTheirRenewDateAndRenewalsStopAtTheMaxDate) {
  Store store;
  DelegationTokenManager m(Options(), store.persist());
  auto token = m.Issue("alice", "yarn", "", kNow);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->kind(), "HDFS_DELEGATION_TOKEN");
  auto id = m.Verify(*token, kNow + 9'000);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->owner, "alice");
  EXPECT_EQ(id->renewer, "yarn");
  auto password = m.PasswordOf(token->identifier(), kNow);
  ASSERT_TRUE(password.ok());
  EXPECT_EQ(*password, token->password());

  auto expired = m.Verify(*token, kNow + 10'001);
  EXPECT_EQ(expired.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(expired.status().message().find("is expired"), std::string::npos) << expired.status().ToString();

  auto by_owner = m.Renew(*token, "alice", kNow + 5'000);
  EXPECT_NE(by_owner.status().message().find("non-matching renewer yarn"), std::string::npos)
      << by_owner.status().ToString();
  auto renewed = m.Renew(*token, "yarn", kNow + 8'000);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(*renewed, kNow + 18'000);
  EXPECT_TRUE(m.Verify(*token, kNow + 17'000).ok());
  auto last = m.Renew(*token, "yarn", kNow + 17'000);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, kNow + 25'000);  // the max date
  EXPECT_FALSE(m.Verify(*token, kNow + 25'001).ok());
}

TEST(DelegationTokenManagerTest, ForgedForeignAndCancelledTokensAreRefused) {
  Store store;
  DelegationTokenManager m(Options(), store.persist());
  auto token = m.Issue("alice", "alice", "", kNow);
  ASSERT_TRUE(token.ok());

  auto forged = *token;
  forged.set_password(std::string(forged.password().size(), 'x'));
  EXPECT_NE(m.Verify(forged, kNow).status().message().find("forged"), std::string::npos);
  auto stretched = *token;  // a rewritten identifier is not a token this namenode issued
  auto id = DecodeDelegationTokenIdentifier(token->identifier());
  ASSERT_TRUE(id.ok());
  id->max_date += 1'000'000;
  stretched.set_identifier(EncodeDelegationTokenIdentifier(*id));
  EXPECT_FALSE(m.Verify(stretched, kNow).ok());
  DelegationTokenManager other(Options(), Store().persist());
  EXPECT_FALSE(other.Verify(*token, kNow).ok());
  auto block = *token;
  block.set_kind("HDFS_BLOCK_TOKEN");
  EXPECT_FALSE(m.Verify(block, kNow).ok());

  EXPECT_EQ(m.Cancel(*token, "mallory").code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(m.Verify(*token, kNow).ok());
  EXPECT_EQ(m.Cancel(forged, "alice").code(), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(m.Cancel(*token, "alice").ok());
  EXPECT_NE(m.Verify(*token, kNow).status().message().find("can't be found"), std::string::npos);
  EXPECT_FALSE(m.PasswordOf(token->identifier(), kNow).ok());
  EXPECT_EQ(m.live_tokens(), 0u);
}

TEST(DelegationTokenManagerTest, AFailedStoreChangesNothingAndTheRecordSurvivesARestart) {
  Store store;
  auto m = std::make_unique<DelegationTokenManager>(Options(), store.persist());
  auto kept = m->Issue("alice", "alice", "", kNow);
  ASSERT_TRUE(kept.ok());
  auto cancelled = m->Issue("bob", "bob", "", kNow + 6'000);  // under a second master key
  ASSERT_TRUE(cancelled.ok());
  store.fail = true;
  EXPECT_FALSE(m->Issue("carol", "carol", "", kNow).ok());
  EXPECT_FALSE(m->Renew(*kept, "alice", kNow + 1'000).ok());
  EXPECT_FALSE(m->Cancel(*cancelled, "bob").ok());
  EXPECT_EQ(m->live_tokens(), 2u);
  EXPECT_TRUE(m->Verify(*cancelled, kNow + 7'000).ok());
  store.fail = false;
  ASSERT_TRUE(m->Cancel(*cancelled, "bob").ok());

  m = std::make_unique<DelegationTokenManager>(Options(), store.persist());
  ASSERT_TRUE(m->Load(store.record).ok());
  EXPECT_TRUE(m->Verify(*kept, kNow + 1'000).ok());
  EXPECT_FALSE(m->Verify(*cancelled, kNow + 7'000).ok());
  auto next = m->Issue("dave", "dave", "", kNow + 7'000);
  ASSERT_TRUE(next.ok());
  auto next_id = DecodeDelegationTokenIdentifier(next->identifier());
  ASSERT_TRUE(next_id.ok());
  EXPECT_GT(next_id->sequence_number, 2);  // sequence numbers are not reused
  EXPECT_FALSE(m->Load(std::string("garbage")).ok());
}

}  // namespace
}  // namespace cairn::namenode
