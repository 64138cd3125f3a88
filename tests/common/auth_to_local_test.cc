// auth_to_local: Hadoop's rule syntax turns principals into local user names.
#include <gtest/gtest.h>

#include "common/auth_to_local.h"

namespace cairn {
namespace {

TEST(AuthToLocalTest, DefaultTakesTheFirstComponentOfTheDefaultRealm) {
  auto rules = AuthToLocal::Parse("", "CAIRN.TEST");
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(*rules->Map("alice@CAIRN.TEST"), "alice");
  EXPECT_EQ(*rules->Map("nn/localhost@CAIRN.TEST"), "nn");
  EXPECT_EQ(rules->Map("mallory@EVIL.ORG").status().code(), ErrorCode::kPermissionDenied);
}

TEST(AuthToLocalTest, RulesApplyInOrder) {
  auto rules = AuthToLocal::Parse(
      "RULE:[2:$1@$0](nn@CAIRN.TEST)s/.*/hdfs/\n"
      "RULE:[1:$1@$0](.*@PARTNER.ORG)s/@.*//\n"
      "RULE:[2:$1/$2@$0](jm/.*@CAIRN.TEST)s/.*/cairn/ DEFAULT",
      "CAIRN.TEST");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(*rules->Map("nn/host1@CAIRN.TEST"), "hdfs");
  EXPECT_EQ(*rules->Map("bob@PARTNER.ORG"), "bob");
  EXPECT_EQ(*rules->Map("jm/host2@CAIRN.TEST"), "cairn");
  EXPECT_EQ(*rules->Map("carol@CAIRN.TEST"), "carol");
  EXPECT_EQ(rules->Map("dn/host1@OTHER.ORG").status().code(), ErrorCode::kPermissionDenied);
}

TEST(AuthToLocalTest, BadRulesAndBadResultsAreRefused) {
  EXPECT_FALSE(AuthToLocal::Parse("RULE:oops", "R").ok());
  EXPECT_FALSE(AuthToLocal::Parse("RULE:[1:$1](a)x/b/c/", "R").ok());
  EXPECT_FALSE(AuthToLocal::Parse("RULE:[1:$1]([)s/a/b/", "R").ok());
  auto keeps_realm = AuthToLocal::Parse("RULE:[1:$1@$0](.*)", "R");
  ASSERT_TRUE(keeps_realm.ok());
  EXPECT_EQ(keeps_realm->Map("alice@R").status().code(), ErrorCode::kPermissionDenied);  // "alice@R" is no user
}

}  // namespace
}  // namespace cairn
