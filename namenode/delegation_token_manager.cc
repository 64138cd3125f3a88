#include "namenode/delegation_token_manager.h"

#include <algorithm>

#include "common/hmac.h"

namespace cairn::namenode {

namespace {
constexpr size_t kMasterKeyBytes = 32;

std::string Describe(const DelegationTokenIdentifier& id) {
  return fmt::format("{} token {} for {}", kDelegationTokenKind, id.sequence_number, id.owner);
}
}  // namespace

DelegationTokenManager::DelegationTokenManager(DelegationTokenOptions options, Persist persist)
    : options_(options), persist_(std::move(persist)) {}

Status DelegationTokenManager::Load(const std::optional<std::string>& record) {
  std::lock_guard lock(mu_);
  keys_.clear();
  tokens_.clear();
  if (!record) return Status::OK();
  DelegationTokenStateRecord rec;
  if (!rec.ParseFromString(*record)) return Corruption("the stored delegation token state is malformed");
  for (const auto& k : rec.keys()) keys_[static_cast<int32_t>(k.key_id())] = k;
  current_key_id_ = static_cast<int32_t>(rec.current_key_id());
  current_key_created_ms_ = static_cast<int64_t>(rec.current_key_created());
  last_sequence_ = rec.last_sequence_number();
  for (const auto& t : rec.tokens()) {
    auto id = DecodeDelegationTokenIdentifier(t.identifier());
    if (!id.ok()) return Corruption("a stored delegation token is malformed: {}", id.status().message());
    tokens_[id->sequence_number] = LiveToken{t.identifier(), static_cast<int64_t>(t.renew_date())};
  }
  return Status::OK();
}

Status DelegationTokenManager::PersistLocked() {
  DelegationTokenStateRecord rec;
  for (const auto& [id, k] : keys_) *rec.add_keys() = k;
  rec.set_current_key_id(static_cast<uint32_t>(current_key_id_));
  rec.set_current_key_created(static_cast<uint64_t>(current_key_created_ms_));
  rec.set_last_sequence_number(last_sequence_);
  for (const auto& [seq, t] : tokens_) {
    auto* s = rec.add_tokens();
    s->set_identifier(t.identifier);
    s->set_renew_date(static_cast<uint64_t>(t.renew_date));
  }
  return persist_(rec.SerializeAsString());
}

void DelegationTokenManager::ForgetExpiredLocked(int64_t now_ms) {
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    if (it->second.renew_date < now_ms) it = tokens_.erase(it);
    else ++it;
  }
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (it->first != current_key_id_ && static_cast<int64_t>(it->second.expiry_date()) < now_ms) it = keys_.erase(it);
    else ++it;
  }
}

void DelegationTokenManager::RollKeysLocked(int64_t now_ms) {
  if (current_key_id_ != 0 && keys_.count(current_key_id_) &&
      now_ms - current_key_created_ms_ < options_.key_update_interval_ms)
    return;
  int32_t id = current_key_id_ + 1;
  if (id <= 0) id = 1;
  BlockKeyProto key;
  key.set_key_id(static_cast<uint32_t>(id));
  // The last token this key signs is issued before the next roll and lives at most max_lifetime.
  key.set_expiry_date(static_cast<uint64_t>(now_ms + options_.key_update_interval_ms + options_.max_lifetime_ms));
  key.set_key_bytes(RandomSecret(kMasterKeyBytes));
  keys_[id] = key;
  current_key_id_ = id;
  current_key_created_ms_ = now_ms;
}

Result<std::string> DelegationTokenManager::PasswordLocked(const DelegationTokenIdentifier& id,
                                                           std::string_view identifier) const {
  auto key = keys_.find(id.master_key_id);
  if (key == keys_.end())
    return PermissionDenied("the master key that signed {} is gone (the token expired)", Describe(id));
  return HmacSha256(key->second.key_bytes(), identifier);
}

Result<hadoop::common::TokenProto> DelegationTokenManager::Issue(const std::string& owner, const std::string& renewer,
                                                                 const std::string& real_user, int64_t now_ms) {
  std::lock_guard lock(mu_);
  ForgetExpiredLocked(now_ms);
  RollKeysLocked(now_ms);
  DelegationTokenIdentifier id;
  id.owner = owner;
  id.renewer = renewer;
  id.real_user = real_user;
  id.issue_date = now_ms;
  id.max_date = now_ms + options_.max_lifetime_ms;
  id.sequence_number = last_sequence_ == INT32_MAX ? 1 : last_sequence_ + 1;
  id.master_key_id = current_key_id_;
  const std::string identifier = EncodeDelegationTokenIdentifier(id);
  ASSIGN_OR_RETURN(std::string password, PasswordLocked(id, identifier));
  last_sequence_ = id.sequence_number;
  tokens_[id.sequence_number] = LiveToken{identifier, std::min(now_ms + options_.renew_interval_ms, id.max_date)};
  Status stored = PersistLocked();
  if (!stored.ok()) {
    tokens_.erase(id.sequence_number);
    return stored;
  }
  hadoop::common::TokenProto token;
  token.set_identifier(identifier);
  token.set_password(password);
  token.set_kind(std::string(kDelegationTokenKind));
  token.set_service("");
  return token;
}

Result<DelegationTokenIdentifier> DelegationTokenManager::FindLiveLocked(std::string_view identifier, int64_t now_ms,
                                                                         const LiveToken** live) const {
  auto id = DecodeDelegationTokenIdentifier(identifier);
  if (!id.ok()) return PermissionDenied("not a delegation token: {}", id.status().message());
  auto it = tokens_.find(id->sequence_number);
  if (it == tokens_.end() || it->second.identifier != identifier)
    return PermissionDenied("token ({}) can't be found in cache (cancelled, expired or never issued here)",
                            Describe(*id));
  if (it->second.renew_date < now_ms)
    return PermissionDenied("token ({}) is expired, current time: {} expected renewal time: {}", Describe(*id),
                            now_ms, it->second.renew_date);
  if (live) *live = &it->second;
  return *id;
}

Result<std::string> DelegationTokenManager::PasswordOf(std::string_view identifier, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(DelegationTokenIdentifier id, FindLiveLocked(identifier, now_ms, nullptr));
  return PasswordLocked(id, identifier);
}

Result<DelegationTokenIdentifier> DelegationTokenManager::Verify(const hadoop::common::TokenProto& token,
                                                                 int64_t now_ms) const {
  if (token.kind() != kDelegationTokenKind)
    return PermissionDenied("a {} token is not a delegation token", token.kind().empty() ? "kindless" : token.kind());
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(DelegationTokenIdentifier id, FindLiveLocked(token.identifier(), now_ms, nullptr));
  ASSIGN_OR_RETURN(std::string password, PasswordLocked(id, token.identifier()));
  if (!ConstantTimeEquals(password, token.password()))
    return PermissionDenied("the password of {} is wrong (a forged token)", Describe(id));
  return id;
}

Result<int64_t> DelegationTokenManager::Renew(const hadoop::common::TokenProto& token, const std::string& caller,
                                              int64_t now_ms) {
  ASSIGN_OR_RETURN(DelegationTokenIdentifier id, Verify(token, now_ms));
  std::lock_guard lock(mu_);
  if (id.renewer.empty())
    return PermissionDenied("{} tried to renew a token ({}) without a renewer", caller, Describe(id));
  if (id.renewer != caller)
    return PermissionDenied("Client {} tries to renew a token ({}) with non-matching renewer {}", caller,
                            Describe(id), id.renewer);
  if (id.max_date < now_ms)
    return PermissionDenied("token ({}) can't be renewed past its max date {}", Describe(id), id.max_date);
  auto it = tokens_.find(id.sequence_number);
  if (it == tokens_.end()) return PermissionDenied("token ({}) was cancelled meanwhile", Describe(id));
  const int64_t before = it->second.renew_date;
  it->second.renew_date = std::min(now_ms + options_.renew_interval_ms, id.max_date);
  Status stored = PersistLocked();
  if (!stored.ok()) {
    it->second.renew_date = before;
    return stored;
  }
  return it->second.renew_date;
}

Status DelegationTokenManager::Cancel(const hadoop::common::TokenProto& token, const std::string& caller) {
  auto decoded = DecodeDelegationTokenIdentifier(token.identifier());
  if (!decoded.ok()) return PermissionDenied("not a delegation token: {}", decoded.status().message());
  std::lock_guard lock(mu_);
  // An expired token may still be cancelled (as HDFS allows); a forged one may not.
  auto it = tokens_.find(decoded->sequence_number);
  if (it == tokens_.end() || it->second.identifier != token.identifier())
    return PermissionDenied("token ({}) can't be found in cache", Describe(*decoded));
  ASSIGN_OR_RETURN(std::string password, PasswordLocked(*decoded, token.identifier()));
  if (!ConstantTimeEquals(password, token.password()))
    return PermissionDenied("the password of {} is wrong (a forged token)", Describe(*decoded));
  if (caller != decoded->owner && caller != decoded->renewer)
    return PermissionDenied("{} is not authorized to cancel the token ({})", caller, Describe(*decoded));
  LiveToken removed = it->second;
  tokens_.erase(it);
  Status stored = PersistLocked();
  if (!stored.ok()) tokens_[decoded->sequence_number] = removed;
  return stored;
}

size_t DelegationTokenManager::live_tokens() const {
  std::lock_guard lock(mu_);
  return tokens_.size();
}

}  // namespace cairn::namenode
