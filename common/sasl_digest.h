// SASL DIGEST-MD5 (RFC 2831) through Cyrus SASL, as Hadoop uses it for method TOKEN: a
// client that holds a delegation token authenticates with username = base64(identifier)
// and password = base64(token password), protocol "" and server name "default", so the
// digest-uri is "/default" and the realm "default" (Hadoop's SaslRpcServer constants).
// Only authentication is negotiated (qop "auth"): TLS, not SASL, protects data.
//
// DigestMd5Server looks passwords up through `PasswordLookup` (the namenode's
// DelegationTokenManager); Cyrus asks for them through an auxiliary-property plugin this
// file registers, which finds the server it serves through a thread-local pointer set
// only while that server's step runs. DigestMd5Client answers the server's challenge.
//
// Errors are kPermissionDenied carrying Cyrus's own detail ("checksum mismatch", ...).
//
// Thread-safety: each object belongs to one connection's thread; Cyrus's process-wide
// initialisation happens once, on first use, under std::call_once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sasl_conn;
struct sasl_callback;

namespace cairn {

inline constexpr std::string_view kSaslTokenMechanism = "DIGEST-MD5";
inline constexpr std::string_view kSaslTokenProtocol = "";
inline constexpr std::string_view kSaslTokenServerId = "default";

class DigestMd5Server {
 public:
  // The token password for an identifier, or why there is none.
  using PasswordLookup = std::function<Result<std::string>(std::string_view identifier)>;

  static Result<std::unique_ptr<DigestMd5Server>> Create(PasswordLookup lookup);
  ~DigestMd5Server();

  // The first challenge (the server speaks first in DIGEST-MD5).
  Result<std::string> Start();
  // The client's response; the server's answer (rspauth). done() once it succeeded.
  Result<std::string> Step(std::string_view response);
  bool done() const { return done_; }
  // The identifier of the token the client authenticated with, once done().
  const std::string& identifier() const { return identifier_; }

 private:
  explicit DigestMd5Server(PasswordLookup lookup) : lookup_(std::move(lookup)) {}
  friend struct DigestMd5Access;
  PasswordLookup lookup_;
  sasl_conn* conn_ = nullptr;
  bool done_ = false;
  std::string identifier_;       // what the last password lookup was for
  Status lookup_failure_;        // why the last lookup failed, for a clearer error
};

class DigestMd5Client {
 public:
  static Result<std::unique_ptr<DigestMd5Client>> Create(std::string identifier, std::string password);
  ~DigestMd5Client();

  // The answer to the server's challenge (first its digest challenge, then its rspauth).
  Result<std::string> Step(std::string_view challenge);
  bool done() const { return done_; }

 private:
  DigestMd5Client() = default;
  friend struct DigestMd5Access;
  sasl_conn* conn_ = nullptr;
  bool started_ = false;
  bool done_ = false;
  std::string username_;  // base64(identifier)
  std::string password_;  // base64(password), in Cyrus's sasl_secret_t layout
  std::string realm_{kSaslTokenServerId};
  std::vector<sasl_callback> callbacks_;  // Cyrus keeps pointers into it
};

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace cairn
