// ProxyUsers and ApplyImpersonation: a proxy acts only for the users or groups its rule
// names and only from its hosts; nobody without a rule, and no delegation-token caller,
// may act for anyone else; naming oneself (short name or principal) is not impersonation.
#include <gtest/gtest.h>

#include "namenode/rpc/proxy_users.h"
#include "namenode/rpc/user_group_resolver.h"
#include "tests/support/test_util.h"

namespace cairn::namenode {
namespace {

TEST(ProxyUsersTest, RulesNameUsersGroupsAndHosts) {
  ASSERT_OK_AND_ASSIGN(ProxyUsers rules,
                       ProxyUsers::Parse("oozie:hosts=10.0.0.5,10.0.0.6:users=alice:groups=staff; hive:hosts=*:users=*"));
  EXPECT_OK(rules.Authorize("oozie", "alice", {}, "10.0.0.5"));
  EXPECT_OK(rules.Authorize("oozie", "carol", {"other", "staff"}, "10.0.0.6"));
  Status not_member = rules.Authorize("oozie", "bob", {"other"}, "10.0.0.5");
  EXPECT_NE(not_member.message().find("User: oozie is not allowed to impersonate bob"), std::string::npos)
      << not_member.ToString();
  Status wrong_host = rules.Authorize("oozie", "alice", {}, "10.0.0.7");
  EXPECT_NE(wrong_host.message().find("from IP 10.0.0.7"), std::string::npos) << wrong_host.ToString();
  EXPECT_OK(rules.Authorize("hive", "anyone", {}, "192.168.1.1"));
  EXPECT_EQ(rules.Authorize("mallory", "alice", {}, "10.0.0.5").code(), ErrorCode::kPermissionDenied);

  ASSERT_OK_AND_ASSIGN(ProxyUsers no_hosts, ProxyUsers::Parse("svc:users=*"));
  EXPECT_EQ(no_hosts.Authorize("svc", "alice", {}, "127.0.0.1").code(), ErrorCode::kPermissionDenied);
  EXPECT_FALSE(ProxyUsers::Parse("svc:hosts").ok());
  EXPECT_FALSE(ProxyUsers::Parse("svc:colour=red").ok());
  EXPECT_FALSE(ProxyUsers::Parse("svc:users=a;svc:users=b").ok());
  EXPECT_FALSE(ProxyUsers::Parse("hosts=*").ok());
}

TEST(ProxyUsersTest, ImpersonationNeedsARuleAndATicket) {
  ASSERT_OK_AND_ASSIGN(auto groups, UserGroupResolver::Create("alice=staff"));
  ASSERT_OK_AND_ASSIGN(ProxyUsers rules, ProxyUsers::Parse("svc:hosts=127.0.0.1:groups=staff"));
  auto caller = [](AuthMethod auth) {
    CallContext c;
    c.user = "svc";
    c.auth = auth;
    c.client_address = "127.0.0.1";
    return c;
  };
  for (const char* self : {"", "svc", "svc/host@REALM"}) {
    CallContext c = caller(AuthMethod::kKerberos);
    EXPECT_OK(ApplyImpersonation(self, "svc/host@REALM", &rules, *groups, &c));
    EXPECT_EQ(c.user, "svc");
    EXPECT_EQ(c.real_user, "");
  }
  CallContext proxied = caller(AuthMethod::kKerberos);
  ASSERT_OK(ApplyImpersonation("alice", "svc/host@REALM", &rules, *groups, &proxied));
  EXPECT_EQ(proxied.user, "alice");
  EXPECT_EQ(proxied.real_user, "svc");
  CallContext by_token = caller(AuthMethod::kToken);
  EXPECT_EQ(ApplyImpersonation("alice", "", &rules, *groups, &by_token).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(by_token.user, "svc");
  CallContext no_rules = caller(AuthMethod::kKerberos);
  EXPECT_EQ(ApplyImpersonation("alice", "svc/host@REALM", nullptr, *groups, &no_rules).code(),
            ErrorCode::kPermissionDenied);
  CallContext outsider = caller(AuthMethod::kKerberos);
  EXPECT_EQ(ApplyImpersonation("bob", "svc/host@REALM", &rules, *groups, &outsider).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(outsider.user, "svc");
}

}  // namespace
}  // namespace cairn::namenode
