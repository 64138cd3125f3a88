#include "common/tls_credentials.h"

#include <grpc/grpc_security_constants.h>

#include "common/whole_file.h"


namespace cairn {
namespace {

Result<std::string> ReadPem(const std::string& path, const char* flag) {
  auto pem = ReadWholeFile(path);
  if (!pem.ok()) return pem.status().WithContext(flag);
  if (pem->find("-----BEGIN") == std::string::npos) return InvalidArgument("{} ({}) is not PEM", path, flag);
  return pem;
}

}  // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const SecuritySettings& security,
                                                                       ClientCertificates clients) {
  if (!security.tls()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(clients == ClientCertificates::kRequired
                                                ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                                : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(security.tls_ca_file, "--tls_ca_file"));
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadPem(security.tls_key_file, "--tls_key_file"));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(security.tls_cert_file, "--tls_cert_file"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

Result<std::shared_ptr<grpc::ChannelCredentials>> MakeDaemonChannelCredentials(const SecuritySettings& security) {
  if (!security.tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(security.tls_ca_file, "--tls_ca_file"));
  ASSIGN_OR_RETURN(options.pem_private_key, ReadPem(security.tls_key_file, "--tls_key_file"));
  ASSIGN_OR_RETURN(options.pem_cert_chain, ReadPem(security.tls_cert_file, "--tls_cert_file"));
  return grpc::SslCredentials(options);
}

Result<std::shared_ptr<grpc::ChannelCredentials>> MakeClientChannelCredentials(const std::string& ca_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(ca_file, "the cluster CA (CAIRN_TLS_CA_FILE)"));
  return grpc::SslCredentials(options);
}

std::optional<DaemonIdentity> PeerDaemon(const grpc::ServerContextBase& context) {
  auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return std::nullopt;
  auto names = auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (names.empty()) return std::nullopt;
  std::string cn(names.front().data(), names.front().size());
  size_t slash = cn.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  return DaemonIdentity{cn.substr(0, slash), cn.substr(slash + 1)};
}

Status RequirePeerRole(const SecuritySettings& security, const grpc::ServerContextBase& context, const std::string& role) {
  if (!security.tls()) return Status::OK();
  auto peer = PeerDaemon(context);
  if (!peer) return PermissionDenied("only a {} with a certificate from the cluster CA may make this call", role);
  if (peer->role != role)
    return PermissionDenied("only a {} may make this call, not the {} {}", role, peer->role, peer->host);
  return Status::OK();
}

}  // namespace cairn
