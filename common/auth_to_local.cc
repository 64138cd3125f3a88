#include "common/auth_to_local.h"

namespace cairn {

Result<PrincipalParts> SplitPrincipal(std::string_view principal) {
  PrincipalParts p;
  size_t at = principal.rfind('@');
  std::string_view name = principal.substr(0, at);
  if (at != std::string_view::npos) p.realm = std::string(principal.substr(at + 1));
  if (name.empty()) return InvalidArgument("'{}' is not a Kerberos principal", principal);
  size_t start = 0;
  for (;;) {
    size_t slash = name.find('/', start);
    p.components.emplace_back(name.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return p;
}

namespace {

std::vector<std::string> SplitRules(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ';' || c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

Result<AuthToLocal> AuthToLocal::Parse(std::string_view text, std::string default_realm) {
  AuthToLocal out;
  out.default_realm_ = std::move(default_realm);
  std::vector<std::string> rules = SplitRules(text);
  if (rules.empty()) rules.push_back("DEFAULT");
  for (const std::string& r : rules) {
    Rule rule;
    if (r == "DEFAULT") {
      rule.is_default = true;
      out.rules_.push_back(std::move(rule));
      continue;
    }
    // RULE:[n:format](regex)s/from/to/g
    const std::string bad = fmt::format("auth_to_local rule '{}' is not RULE:[n:format](regex)s/from/to/[g]", r);
    if (r.rfind("RULE:[", 0) != 0) return InvalidArgument("{}", bad);
    size_t colon = r.find(':', 6), close = r.find(']', 6);
    if (colon == std::string::npos || close == std::string::npos || colon > close) return InvalidArgument("{}", bad);
    try {
      rule.components = std::stoi(r.substr(6, colon - 6));
    } catch (...) {
      return InvalidArgument("{}", bad);
    }
    rule.format = r.substr(colon + 1, close - colon - 1);
    std::string rest = r.substr(close + 1);
    if (!rest.empty() && rest[0] == '(') {
      size_t end = rest.find(')');
      // The regex may itself hold parentheses: take the ")" just before the substitution.
      size_t sub = rest.find(")s/");
      if (sub != std::string::npos) end = sub;
      else end = rest.rfind(')');
      if (end == std::string::npos) return InvalidArgument("{}", bad);
      try {
        rule.match = std::regex(rest.substr(1, end - 1));
      } catch (const std::regex_error& e) {
        return InvalidArgument("auth_to_local rule '{}': bad regex: {}", r, e.what());
      }
      rest = rest.substr(end + 1);
    } else {
      rule.match = std::regex(".*");
    }
    if (!rest.empty()) {
      if (rest.size() < 4 || rest[0] != 's' || rest[1] != '/') return InvalidArgument("{}", bad);
      size_t mid = rest.find('/', 2);
      size_t last = mid == std::string::npos ? std::string::npos : rest.find('/', mid + 1);
      if (last == std::string::npos) return InvalidArgument("{}", bad);
      try {
        rule.from = std::regex(rest.substr(2, mid - 2));
      } catch (const std::regex_error& e) {
        return InvalidArgument("auth_to_local rule '{}': bad pattern: {}", r, e.what());
      }
      rule.to = rest.substr(mid + 1, last - mid - 1);
      std::string flags = rest.substr(last + 1);
      if (!flags.empty() && flags != "g") return InvalidArgument("{}", bad);
      rule.global = flags == "g";
      rule.has_sub = true;
    }
    out.rules_.push_back(std::move(rule));
  }
  return out;
}

Result<std::string> AuthToLocal::Map(std::string_view principal) const {
  ASSIGN_OR_RETURN(PrincipalParts p, SplitPrincipal(principal));
  for (const Rule& rule : rules_) {
    if (rule.is_default) {
      if (p.realm.empty() || p.realm == default_realm_) return p.components[0];
      continue;
    }
    if (static_cast<int>(p.components.size()) != rule.components) continue;
    std::string base;
    for (size_t i = 0; i < rule.format.size(); ++i) {
      char c = rule.format[i];
      if (c == '$' && i + 1 < rule.format.size() && std::isdigit(static_cast<unsigned char>(rule.format[i + 1]))) {
        size_t n = static_cast<size_t>(rule.format[++i] - '0');
        if (n == 0) base += p.realm;
        else if (n <= p.components.size()) base += p.components[n - 1];
      } else {
        base += c;
      }
    }
    if (!std::regex_match(base, rule.match)) continue;
    std::string name = base;
    if (rule.has_sub) {
      name = std::regex_replace(base, rule.from, rule.to,
                                rule.global ? std::regex_constants::format_default
                                            : std::regex_constants::format_first_only);
    }
    if (name.empty() || name.find_first_of("@/") != std::string::npos)
      return PermissionDenied("auth_to_local maps {} to '{}', which is not a user name", principal, name);
    return name;
  }
  return PermissionDenied("No auth_to_local rule applies to {}: it has no local user name", principal);
}

}  // namespace cairn
