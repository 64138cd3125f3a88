// AuthToLocal: Hadoop's hadoop.security.auth_to_local rules, which turn an authenticated
// Kerberos principal ("alice@CAIRN.TEST", "nn/localhost@CAIRN.TEST") into the short user
// name permissions and ownership use ("alice", "nn"). Rules are tried in order; the first
// that applies gives the name:
//
//   RULE:[n:format](regex)s/pattern/replacement/[g]
//       for principals of n components; format builds a string from $0 (the realm), $1,
//       $2 (the components); if regex matches all of it, the sed-style substitution (if
//       any) gives the name.
//   DEFAULT
//       the first component, for principals of the default realm.
//
// A principal no rule applies to is refused: it has no local name.
//
// Thread-safety: immutable after Parse.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn {

class AuthToLocal {
 public:
  // Rules separated by whitespace, newlines or ';'. Empty rules mean DEFAULT.
  static Result<AuthToLocal> Parse(std::string_view rules, std::string default_realm);
  Result<std::string> Map(std::string_view principal) const;

 private:
  struct Rule {
    bool is_default = false;
    int components = 0;
    std::string format;
    std::regex match;
    bool has_sub = false;
    std::regex from;
    std::string to;
    bool global = false;
  };
  std::vector<Rule> rules_;
  std::string default_realm_;
};

// Splits "a/b@R" into its components ("a", "b") and realm ("R").
struct PrincipalParts {
  std::vector<std::string> components;
  std::string realm;
};
Result<PrincipalParts> SplitPrincipal(std::string_view principal);

}  // namespace cairn
