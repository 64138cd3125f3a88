// HMAC-SHA256 (OpenSSL) and a constant-time comparison, for the tokens and proofs that
// Cairn signs: block access tokens (block_token.h), map output proofs
// (compute/shuffle_proof.h).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cairn {

// The 32-byte HMAC-SHA256 of data under key.
std::string HmacSha256(std::string_view key, std::string_view data);
// Whether a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// n cryptographically random bytes (OpenSSL RAND_bytes).
std::string RandomSecret(size_t n);

}  // namespace cairn
