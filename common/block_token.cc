#include "common/block_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include "common/hmac.h"

namespace cairn {

namespace {

std::string Hmac(const std::string& key, const std::string& data) { return HmacSha256(key, data); }

uint32_t ModeBit(BlockAccessModeProto mode) {
  switch (mode) {
    case BLOCK_ACCESS_READ: return kBlockRead;
    case BLOCK_ACCESS_WRITE: return kBlockWrite;
    case BLOCK_ACCESS_COPY: return kBlockCopy;
    case BLOCK_ACCESS_REPLACE: return kBlockReplace;
  }
  return 0;
}

constexpr BlockAccessModeProto kModes[] = {BLOCK_ACCESS_READ, BLOCK_ACCESS_WRITE, BLOCK_ACCESS_COPY,
                                           BLOCK_ACCESS_REPLACE};

}  // namespace

std::string BlockAccessNames(uint32_t modes) {
  static constexpr const char* kNames[] = {"READ", "WRITE", "COPY", "REPLACE"};
  std::string out;
  for (int i = 0; i < 4; ++i) {
    if ((modes & (1u << i)) == 0) continue;
    if (!out.empty()) out += ",";
    out += kNames[i];
  }
  return out.empty() ? "none" : out;
}

hadoop::common::TokenProto EmptyBlockToken() {
  hadoop::common::TokenProto t;
  t.set_identifier("");
  t.set_password("");
  t.set_kind("");
  t.set_service("");
  return t;
}

Result<BlockTokenIdentifierProto> DecodeBlockToken(const hadoop::common::TokenProto& token) {
  BlockTokenIdentifierProto id;
  if (token.identifier().empty() || !id.ParseFromString(token.identifier()))
    return InvalidArgument("the block access token's identifier does not parse");
  return id;
}

void BlockKeyRing::RollIfDue(int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (!options_.tokens_enabled) return;
  bool changed = false;
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (static_cast<int64_t>(it->second.expiry_date()) <= now_ms && it->first != current_key_id_) {
      it = keys_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (keys_.empty() || now_ms - current_created_ms_ >= options_.key_update_interval_ms) {
    // Key ids start at a random point, so a restarted namenode's ids do not collide with
    // the keys datanodes still hold from before.
    uint32_t id = 0;
    if (keys_.empty() || current_key_id_ == 0) {
      RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id);
      id = (id & 0x7fffffff) | 1;
    } else {
      id = current_key_id_ + 1 == 0 ? 1 : current_key_id_ + 1;
    }
    BlockKeyProto key;
    key.set_key_id(id);
    // HDFS's rule: a key lives two update intervals plus a token's lifetime, so every token
    // signed while it was current stays verifiable until the token itself expires.
    key.set_expiry_date(static_cast<uint64_t>(now_ms + 2 * options_.key_update_interval_ms +
                                              options_.token_lifetime_ms));
    std::string bytes(32, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    key.set_key_bytes(std::move(bytes));
    keys_[id] = std::move(key);
    current_key_id_ = id;
    current_created_ms_ = now_ms;
    changed = true;
  }
  if (changed) {
    // A random first version, so a restarted namenode's keys never look like the ones a
    // datanode already holds.
    if (version_ == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&version_), sizeof version_);
    ++version_;
  }
}

void BlockKeyRing::Adopt(const BlockKeysProto& keys) {
  std::lock_guard lock(mu_);
  options_.tokens_enabled = keys.tokens_enabled();
  options_.token_lifetime_ms = static_cast<int64_t>(keys.token_lifetime_ms());
  keys_.clear();
  for (const auto& k : keys.keys()) keys_[k.key_id()] = k;
  current_key_id_ = keys.current_key_id();
  version_ = keys.version();
}

BlockKeysProto BlockKeyRing::Export() const {
  std::lock_guard lock(mu_);
  BlockKeysProto out;
  out.set_tokens_enabled(options_.tokens_enabled);
  out.set_version(version_);
  out.set_current_key_id(current_key_id_);
  out.set_token_lifetime_ms(static_cast<uint64_t>(options_.token_lifetime_ms));
  for (const auto& [id, key] : keys_) *out.add_keys() = key;
  return out;
}

uint64_t BlockKeyRing::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

bool BlockKeyRing::tokens_enabled() const {
  std::lock_guard lock(mu_);
  return options_.tokens_enabled;
}

hadoop::common::TokenProto BlockKeyRing::Issue(std::string_view user, std::string_view block_pool_id,
                                               uint64_t block_id, uint32_t modes, int64_t now_ms) const {
  std::string key_bytes;
  BlockTokenIdentifierProto id;
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(current_key_id_);
    if (!options_.tokens_enabled || it == keys_.end()) return EmptyBlockToken();
    key_bytes = it->second.key_bytes();
    id.set_expiry_date(static_cast<uint64_t>(now_ms + options_.token_lifetime_ms));
    id.set_key_id(current_key_id_);
  }
  id.set_user_id(std::string(user));
  id.set_block_pool_id(std::string(block_pool_id));
  id.set_block_id(block_id);
  for (BlockAccessModeProto m : kModes)
    if (modes & ModeBit(m)) id.add_modes(m);
  hadoop::common::TokenProto token;
  token.set_identifier(id.SerializeAsString());
  token.set_password(Hmac(key_bytes, token.identifier()));
  token.set_kind(std::string(kBlockTokenKind));
  token.set_service("");
  return token;
}

Status BlockKeyRing::Check(const hadoop::common::TokenProto& token, uint64_t block_id, uint32_t mode,
                           int64_t now_ms) const {
  std::string key_bytes;
  BlockTokenIdentifierProto id;
  {
    std::lock_guard lock(mu_);
    if (!options_.tokens_enabled) return Status::OK();
    if (token.identifier().empty())
      return PermissionDenied("Block token is missing: blk_{} needs a block access token for {}",
                              static_cast<int64_t>(block_id), BlockAccessNames(mode));
    auto parsed = DecodeBlockToken(token);
    if (!parsed.ok()) return PermissionDenied("Block token for blk_{} is malformed", static_cast<int64_t>(block_id));
    id = std::move(parsed).value();
    auto it = keys_.find(id.key_id());
    if (it == keys_.end())
      return PermissionDenied("Can't re-compute password for block token of blk_{}, since the required block key "
                              "(keyID={}) doesn't exist",
                              static_cast<int64_t>(block_id), id.key_id());
    key_bytes = it->second.key_bytes();
  }
  const std::string expected = Hmac(key_bytes, token.identifier());
  if (token.password().size() != expected.size() ||
      CRYPTO_memcmp(token.password().data(), expected.data(), expected.size()) != 0)
    return PermissionDenied("Block token for blk_{} has an invalid password (it was not signed by the namenode)",
                            static_cast<int64_t>(block_id));
  if (id.block_id() != block_id)
    return PermissionDenied("Block token is for blk_{}, not blk_{}", static_cast<int64_t>(id.block_id()),
                            static_cast<int64_t>(block_id));
  if (static_cast<int64_t>(id.expiry_date()) <= now_ms)
    return PermissionDenied("Block token for blk_{} is expired", static_cast<int64_t>(block_id));
  uint32_t allowed = 0;
  for (int m : id.modes()) allowed |= ModeBit(static_cast<BlockAccessModeProto>(m));
  if ((allowed & mode) != mode)
    return PermissionDenied("Block token for blk_{} doesn't have {} permission (it allows {})",
                            static_cast<int64_t>(block_id), BlockAccessNames(mode), BlockAccessNames(allowed));
  return Status::OK();
}

}  // namespace cairn
