// The cluster CA: issued daemon certificates chain to their CA and to no other, carry
// ROLE/HOST as their common name, and bad requests are clear errors.
#include "common/cluster_ca.h"

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace cairn {
namespace {

TEST(ClusterCaTest, DaemonCertificatesChainToTheirCaOnly) {
  ASSERT_OK_AND_ASSIGN(PemKeyAndCertificate ca, CreateClusterCa("test CA", 10));
  EXPECT_NE(ca.key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(std::string ca_name, CertificateCommonName(ca.certificate_pem));
  EXPECT_EQ(ca_name, "test CA");
  ASSERT_OK_AND_ASSIGN(PemKeyAndCertificate dn, IssueDaemonCertificate(ca, kDatanodeRole, {"dn1.example", "10.0.0.7"}, 5));
  ASSERT_OK_AND_ASSIGN(std::string name, CertificateCommonName(dn.certificate_pem));
  EXPECT_EQ(name, "datanode/dn1.example");
  EXPECT_OK(VerifyCertificate(ca.certificate_pem, dn.certificate_pem));

  ASSERT_OK_AND_ASSIGN(PemKeyAndCertificate other, CreateClusterCa("another CA", 10));
  Status foreign = VerifyCertificate(other.certificate_pem, dn.certificate_pem);
  EXPECT_EQ(foreign.code(), ErrorCode::kPermissionDenied) << foreign.ToString();
  // A daemon certificate cannot act as a CA, and a key must match its CA certificate.
  EXPECT_EQ(IssueDaemonCertificate(dn, kDatanodeRole, {"evil"}, 5).status().code(), ErrorCode::kInvalidArgument);
  PemKeyAndCertificate mixed{other.key_pem, ca.certificate_pem};
  EXPECT_EQ(IssueDaemonCertificate(mixed, kDatanodeRole, {"evil"}, 5).status().code(), ErrorCode::kInvalidArgument);
}

TEST(ClusterCaTest, BadRequestsAreClearErrors) {
  ASSERT_OK_AND_ASSIGN(PemKeyAndCertificate ca, CreateClusterCa("test CA", 10));
  EXPECT_EQ(IssueDaemonCertificate(ca, kDatanodeRole, {}, 5).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(IssueDaemonCertificate(ca, "data/node", {"h"}, 5).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(IssueDaemonCertificate(ca, kDatanodeRole, {"a b"}, 5).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(IssueDaemonCertificate(ca, kDatanodeRole, {"h"}, 0).status().code(), ErrorCode::kInvalidArgument);
  PemKeyAndCertificate broken{"not a key", ca.certificate_pem};
  EXPECT_FALSE(IssueDaemonCertificate(broken, kDatanodeRole, {"h"}, 5).ok());
  EXPECT_FALSE(CertificateCommonName("garbage").ok());
}

}  // namespace
}  // namespace cairn
