// DelegationTokenManager: the namenode's delegation tokens (HDFS's
// DelegationTokenSecretManager). A client that authenticated with Kerberos asks for a
// token naming itself as owner and someone as renewer; whoever holds the token can then
// authenticate as its owner without a ticket (SASL DIGEST-MD5 on the IPC door, the
// x-cairn-delegation-token header on the gRPC door), which is how jobs' tasks reach the
// file system. A token dies at its renew date unless its renewer renews it, never lives
// past its max date, and dies at once when its owner or renewer cancels it.
//
// A token's password is HMAC-SHA256(master key, identifier bytes); master keys roll every
// key_update_interval and are forgotten once no token they signed can be alive. Keys and
// live tokens are stored through `persist` (one record, rewritten on every change) before
// any change is answered, and reloaded at start-up, so a restart keeps them.
//
// Thread-safety: thread-safe; mu_ is held while a change is persisted, so stored and
// in-memory state change in the same order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "cairn/delegation_token.pb.h"
#include "common/delegation_token.h"
#include "common/status.h"
#include "hadoop/Security.pb.h"

namespace cairn::namenode {

struct DelegationTokenOptions {
  int64_t key_update_interval_ms = 24LL * 3600 * 1000;  // a new master key this often
  int64_t renew_interval_ms = 24LL * 3600 * 1000;       // a token lives this long past issue or renewal
  int64_t max_lifetime_ms = 7LL * 24 * 3600 * 1000;     // and never longer than this
};

class DelegationTokenManager {
 public:
  // persist(serialised DelegationTokenStateRecord) stores the state durably.
  using Persist = std::function<Status(const std::string& record)>;
  DelegationTokenManager(DelegationTokenOptions options, Persist persist);

  // Takes the stored state (nullopt: none yet).
  Status Load(const std::optional<std::string>& record);

  // A new token for `owner`, renewable by `renewer` ("" : by nobody). Its service is
  // empty: the client sets it to the address it reached the namenode at.
  Result<hadoop::common::TokenProto> Issue(const std::string& owner, const std::string& renewer,
                                           const std::string& real_user, int64_t now_ms);
  // `caller` (a short name) must be the token's renewer. The new renew date.
  Result<int64_t> Renew(const hadoop::common::TokenProto& token, const std::string& caller, int64_t now_ms);
  // `caller` must be the token's owner or renewer.
  Status Cancel(const hadoop::common::TokenProto& token, const std::string& caller);

  // For DIGEST-MD5: the password of a live token given its identifier bytes.
  Result<std::string> PasswordOf(std::string_view identifier, int64_t now_ms) const;
  // For a token presented whole: its identifier when it is live and its password right.
  Result<DelegationTokenIdentifier> Verify(const hadoop::common::TokenProto& token, int64_t now_ms) const;

  size_t live_tokens() const;

 private:
  struct LiveToken {
    std::string identifier;
    int64_t renew_date = 0;
  };
  // The identifier of a live token, or why it is not one (kPermissionDenied, as HDFS's
  // InvalidToken). Requires mu_.
  Result<DelegationTokenIdentifier> FindLiveLocked(std::string_view identifier, int64_t now_ms,
                                                   const LiveToken** live) const;
  Result<std::string> PasswordLocked(const DelegationTokenIdentifier& id, std::string_view identifier) const;
  void RollKeysLocked(int64_t now_ms);
  void ForgetExpiredLocked(int64_t now_ms);
  Status PersistLocked();

  const DelegationTokenOptions options_;
  const Persist persist_;
  mutable std::mutex mu_;
  std::map<int32_t, BlockKeyProto> keys_;  // by key id; guarded by mu_
  int32_t current_key_id_ = 0;
  int64_t current_key_created_ms_ = 0;
  int32_t last_sequence_ = 0;
  std::map<int32_t, LiveToken> tokens_;  // by sequence number
};

}  // namespace cairn::namenode
