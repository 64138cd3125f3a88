// The cluster CA: the certificate authority whose certificates prove which daemon is
// which (namenode, datanodes) on every gRPC connection between them, as Kudu's master CA
// does for tablet servers. Kerberos says who a *user* is; the CA says who a *daemon* is,
// without giving every datanode a keytab.
//
// A certificate's common name is ROLE/HOST ("datanode/dn3.example.com"); its subject
// alternative names are the host names and IP addresses it may serve on (gRPC checks
// the one a client dialled). Keys are ECDSA P-256; certificates are X.509 v3 signed with
// SHA-256; a daemon certificate may not sign others (basicConstraints CA:FALSE).
// `cairn admin ca init|issue` is the operator's front end; tools/cluster --secure uses it.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace cairn {

struct PemKeyAndCertificate {
  std::string key_pem;          // PKCS#8 private key
  std::string certificate_pem;
};

// A new self-signed CA named `name`, valid for `days`.
Result<PemKeyAndCertificate> CreateClusterCa(const std::string& name, int days);

// A daemon certificate for role/hosts[0], with every host (DNS name or IP address) as a
// subject alternative name, signed by the CA.
Result<PemKeyAndCertificate> IssueDaemonCertificate(const PemKeyAndCertificate& ca, const std::string& role,
                                                    const std::vector<std::string>& hosts, int days);

// The common name of a PEM certificate.
Result<std::string> CertificateCommonName(const std::string& certificate_pem);
// OK when the certificate was signed by the CA and is within its validity period.
Status VerifyCertificate(const std::string& ca_certificate_pem, const std::string& certificate_pem);

// Daemon roles, the first part of a daemon certificate's common name.
inline constexpr const char* kNamenodeRole = "namenode";
inline constexpr const char* kDatanodeRole = "datanode";
inline constexpr const char* kJobMasterRole = "jobmaster";

}  // namespace cairn
