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

Status SecuritySettings::Validate() const {
  ASSIGN_OR_RETURN(SecurityMode m, ParseSecurityMode(mode));
  const int given = !tls_ca_file.empty() + !tls_cert_file.empty() + !tls_key_file.empty();
  if (given != 0 && given != 3)
    return InvalidArgument("--tls_ca_file, --tls_cert_file and --tls_key_file go together");
  if (m == SecurityMode::kKerberos && given == 0)
    return InvalidArgument(
        "--security=kerberos needs --tls_ca_file, --tls_cert_file and --tls_key_file: daemons prove which daemon they "
        "are to each other with certificates from the cluster CA (make them with `cairn admin ca`)");
  return Status::OK();
}

void AddSecurityFlags(FlagSet& flags, SecuritySettings* s) {
  flags.Add("security", &s->mode,
            "simple (callers say who they are; loopback only unless --allow_insecure_network) or kerberos "
            "(callers authenticate); the same on every daemon of a cluster");
  flags.Add("allow_insecure_network", &s->allow_insecure_network,
            "simple mode: listen on non-loopback addresses anyway (anyone who reaches the ports can act as any user)");
  flags.Add("tls_ca_file", &s->tls_ca_file, "PEM certificate of the cluster CA that daemon certificates must chain to");
  flags.Add("tls_cert_file", &s->tls_cert_file, "PEM certificate of this daemon, from the cluster CA (cairn admin ca issue)");
  flags.Add("tls_key_file", &s->tls_key_file, "PEM private key of --tls_cert_file");
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
