#include "namenode/rpc/proxy_users.h"

#include "common/split.h"
#include "namenode/rpc/user_group_resolver.h"

namespace cairn::namenode {

namespace {
bool Allows(const std::set<std::string>& list, const std::string& what) {
  return list.count("*") > 0 || list.count(what) > 0;
}
}  // namespace

Result<ProxyUsers> ProxyUsers::Parse(std::string_view spec) {
  ProxyUsers out;
  for (const std::string& entry : SplitTrimmed(spec, ';')) {
    std::vector<std::string> parts = SplitTrimmed(entry, ':');
    if (parts.empty()) continue;
    const std::string name = parts[0];
    if (name.find('=') != std::string::npos)
      return InvalidArgument("proxy user rule '{}' does not start with the proxy's user name", entry);
    Rule rule;
    for (size_t i = 1; i < parts.size(); ++i) {
      const size_t eq = parts[i].find('=');
      if (eq == std::string::npos)
        return InvalidArgument("proxy user rule '{}': '{}' is not hosts=, users= or groups=", entry, parts[i]);
      const std::string key(TrimWhitespace(std::string_view(parts[i]).substr(0, eq)));
      std::set<std::string>* list = key == "hosts" ? &rule.hosts : key == "users" ? &rule.users
                                  : key == "groups" ? &rule.groups : nullptr;
      if (list == nullptr) return InvalidArgument("proxy user rule '{}': unknown list '{}'", entry, key);
      for (const std::string& v : SplitTrimmed(parts[i].substr(eq + 1), ',')) list->insert(v);
    }
    if (!out.rules_.emplace(name, std::move(rule)).second)
      return InvalidArgument("proxy user '{}' has two rules", name);
  }
  return out;
}

Status ProxyUsers::Authorize(const std::string& real, const std::string& effective,
                             const std::vector<std::string>& effective_groups, const std::string& address) const {
  auto it = rules_.find(real);
  if (it == rules_.end()) return PermissionDenied("User: {} is not allowed to impersonate {}", real, effective);
  const Rule& rule = it->second;
  bool member = Allows(rule.users, effective);
  for (const auto& g : effective_groups) member = member || Allows(rule.groups, g);
  if (!member) return PermissionDenied("User: {} is not allowed to impersonate {}", real, effective);
  if (!Allows(rule.hosts, address))
    return PermissionDenied("Unauthorized connection for super-user: {} from IP {}", real, address);
  return Status::OK();
}

Status ApplyImpersonation(std::string_view claimed, const std::string& principal, const ProxyUsers* rules,
                          UserGroupResolver& groups, CallContext* caller) {
  if (claimed.empty() || claimed == caller->user || claimed == principal) return Status::OK();
  const std::string effective(claimed);
  const std::string who = principal.empty() ? caller->user : principal;
  if (caller->auth == AuthMethod::kToken)
    return PermissionDenied("User: {} (a delegation token) is not allowed to impersonate {}", caller->user, effective);
  if (rules == nullptr) return PermissionDenied("User: {} is not allowed to impersonate {}", who, effective);
  RETURN_IF_ERROR(rules->Authorize(caller->user, effective, groups.GroupsFor(effective), caller->client_address));
  caller->real_user = caller->user;
  caller->user = effective;
  return Status::OK();
}

}  // namespace cairn::namenode
