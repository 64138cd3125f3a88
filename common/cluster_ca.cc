#include "common/cluster_ca.h"

#include <arpa/inet.h>

#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace cairn {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Status OpenSslError(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return Internal("{}: {}", what, buf);
}

Result<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating an EC P-256 key");
  return key;
}

Result<std::string> ToPem(EVP_PKEY* key, X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslError("BIO_new");
  if (key != nullptr && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return OpenSslError("writing a private key");
  if (cert != nullptr && PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("writing a certificate");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<Cert> ParseCert(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return OpenSslError("reading a PEM certificate");
  return cert;
}

Result<Key> ParseKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return OpenSslError("reading a PEM private key");
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return OpenSslError("making extension " + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return OpenSslError("adding extension " + value);
  return Status::OK();
}

// A certificate skeleton: random serial, validity, subject CN.
Result<Cert> NewCert(const std::string& common_name, int days, EVP_PKEY* key) {
  if (days <= 0) return InvalidArgument("a certificate must be valid for at least one day");
  Cert cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return OpenSslError("RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);  // tolerate clocks a little behind
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                 -1, -1, 0) != 1)
    return OpenSslError("setting the common name " + common_name);
  if (X509_set_pubkey(cert.get(), key) != 1) return OpenSslError("X509_set_pubkey");
  return cert;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<PemKeyAndCertificate> CreateClusterCa(const std::string& name, int days) {
  ASSIGN_OR_RETURN(Key key, NewKey());
  ASSIGN_OR_RETURN(Cert cert, NewCert(name, days, key.get()));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("signing the CA certificate");
  ASSIGN_OR_RETURN(std::string key_pem, ToPem(key.get(), nullptr));
  ASSIGN_OR_RETURN(std::string cert_pem, ToPem(nullptr, cert.get()));
  return PemKeyAndCertificate{std::move(key_pem), std::move(cert_pem)};
}

Result<PemKeyAndCertificate> IssueDaemonCertificate(const PemKeyAndCertificate& ca, const std::string& role,
                                                    const std::vector<std::string>& hosts, int days) {
  if (role.empty() || role.find('/') != std::string::npos) return InvalidArgument("bad daemon role '{}'", role);
  if (hosts.empty()) return InvalidArgument("a daemon certificate needs at least one host name or address");
  ASSIGN_OR_RETURN(Key ca_key, ParseKey(ca.key_pem));
  ASSIGN_OR_RETURN(Cert ca_cert, ParseCert(ca.certificate_pem));
  if (X509_check_ca(ca_cert.get()) <= 0) return InvalidArgument("the signing certificate is not a CA certificate");
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1)
    return InvalidArgument("the CA key does not belong to the CA certificate");
  ASSIGN_OR_RETURN(Key key, NewKey());
  ASSIGN_OR_RETURN(Cert cert, NewCert(role + "/" + hosts[0], days, key.get()));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  std::string san;
  for (const auto& h : hosts) {
    if (h.empty() || h.find_first_of(", \t\n") != std::string::npos) return InvalidArgument("bad host name '{}'", h);
    san += (san.empty() ? "" : ",") + std::string(IsIpAddress(h) ? "IP:" : "DNS:") + h;
  }
  RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyAgreement"));
  RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth"));
  RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, san));
  RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) return OpenSslError("signing the daemon certificate");
  ASSIGN_OR_RETURN(std::string key_pem, ToPem(key.get(), nullptr));
  ASSIGN_OR_RETURN(std::string cert_pem, ToPem(nullptr, cert.get()));
  return PemKeyAndCertificate{std::move(key_pem), std::move(cert_pem)};
}

Result<std::string> CertificateCommonName(const std::string& certificate_pem) {
  ASSIGN_OR_RETURN(Cert cert, ParseCert(certificate_pem));
  char buf[256];
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, buf, sizeof buf);
  if (n < 0) return InvalidArgument("the certificate has no common name");
  return std::string(buf, static_cast<size_t>(n));
}

Status VerifyCertificate(const std::string& ca_certificate_pem, const std::string& certificate_pem) {
  ASSIGN_OR_RETURN(Cert ca, ParseCert(ca_certificate_pem));
  ASSIGN_OR_RETURN(Cert cert, ParseCert(certificate_pem));
  std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1) return OpenSslError("X509_STORE");
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) return OpenSslError("X509_STORE_CTX_init");
  if (X509_verify_cert(ctx.get()) != 1)
    return PermissionDenied("certificate not valid under this CA: {}",
                            X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  return Status::OK();
}

}  // namespace cairn
