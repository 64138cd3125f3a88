#include "common/security_settings.h"

#include <arpa/inet.h>

#include <spdlog/spdlog.h>

namespace cairn {

Result<SecurityMode> ParseSecurityMode(std::string_view text) {
  if (text == "simple") return SecurityMode::kSimple;
  if (text == "kerberos") return SecurityMode::kKerberos;
  return InvalidArgument("--security must be simple or kerberos, not '{}'", text);
}

SecurityMode SecuritySettings::Mode() const {
  auto m = ParseSecurityMode(mode);
  return m.ok() ? *m : SecurityMode::kSimple;
}

Status SecuritySettings::Validate() const { return ParseSecurityMode(mode).status(); }

void AddSecurityFlags(FlagSet& flags, SecuritySettings* s) {
  flags.Add("security", &s->mode,
            "simple (callers say who they are; loopback only unless --allow_insecure_network) or kerberos "
            "(callers authenticate); the same on every daemon of a cluster");
  flags.Add("allow_insecure_network", &s->allow_insecure_network,
            "simple mode: listen on non-loopback addresses anyway (anyone who reaches the ports can act as any user)");
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Status CheckListenAddress(const SecuritySettings& security, std::string_view host, std::string_view daemon) {
  if (security.kerberos() || IsLoopbackHost(host)) return Status::OK();
  if (!security.allow_insecure_network)
    return PermissionDenied(
        "{} in --security=simple mode listens only on loopback addresses, not {}: anyone who can reach it could "
        "claim to be any user. Use --security=kerberos, or --allow_insecure_network on a network you trust",
        daemon, host);
  spdlog::warn("{} listens on {} in --security=simple mode (--allow_insecure_network): callers are not "
               "authenticated, so anyone who reaches this port can act as any user, including the superuser",
               daemon, host);
  return Status::OK();
}

}  // namespace cairn
