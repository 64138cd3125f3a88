// ProxyUsers: Hadoop's hadoop.proxyuser.NAME.{hosts,users,groups} rules, which let a
// trusted service (an Oozie, a Hive server, a job scheduler) that authenticated as itself
// act for another user. `--namenode_proxy_users` holds them as
//
//   NAME:hosts=H1,H2:users=U1,U2:groups=G1,G2 [; NAME:...]
//
// each list comma-separated or "*" for any. NAME may act as user U when U is in its users
// or one of U's groups is in its groups, and only from an address in its hosts (IP
// addresses; a missing hosts list means from nowhere). A caller that authenticated with a
// delegation token may not act for anyone else (the token already names its user).
//
// Thread-safety: immutable after Parse.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "namenode/rpc/call_context.h"

namespace cairn::namenode {

class UserGroupResolver;

class ProxyUsers {
 public:
  static Result<ProxyUsers> Parse(std::string_view spec);

  // OK when `real` may act as `effective` (a member of `effective_groups`) from `address`;
  // kPermissionDenied with Hadoop's message otherwise.
  Status Authorize(const std::string& real, const std::string& effective,
                   const std::vector<std::string>& effective_groups, const std::string& address) const;

 private:
  struct Rule {
    std::set<std::string> hosts, users, groups;  // "*" : any
  };
  std::map<std::string, Rule, std::less<>> rules_;  // by proxy user name
};

// The caller that an authenticated connection or call acts as. `claimed` is the user it
// names (IPC: the connection context's effective user; gRPC: x-cairn-user); empty, its own
// short name or its principal mean itself. Anyone else is impersonation, which the rules
// must allow: then caller->user becomes `claimed` and caller->real_user the proxy.
Status ApplyImpersonation(std::string_view claimed, const std::string& principal, const ProxyUsers* rules,
                          UserGroupResolver& groups, CallContext* caller);

}  // namespace cairn::namenode
