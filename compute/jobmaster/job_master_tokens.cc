// JobMaster: acting at the namenode for a job's user. In simple mode by name; in kerberos
// mode only through the job's delegation token, which the job master validates and
// renews with its own Kerberos login (as its renewer), and cancels when the job ends.
#include <spdlog/spdlog.h>

#include "client/namenode_client.h"
#include "common/clock.h"
#include "common/delegation_token.h"
#include "common/gssapi.h"
#include "compute/jobmaster/job_master.h"

namespace cairn::compute {

Result<client::FileSystem*> JobMaster::ConnectAs(const std::string& user, const std::string& delegation_token,
                                                 const std::string& key) {
  client::ClientOptions options;
  options.namenode = settings_.namenode;
  options.user = user;
  options.client_name = "cairn-jobmaster-" + std::to_string(start_ms_);
  options.tls_ca_file = settings_.security.tls_ca_file;
  if (!delegation_token.empty()) {
    ASSIGN_OR_RETURN(options.delegation_token, ParseSerializedToken(delegation_token));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<client::FileSystem> fs, client::FileSystem::Connect(options));
  client::FileSystem* raw = fs.get();
  fs_by_user_[key] = std::move(fs);
  return raw;
}

Result<client::FileSystem*> JobMaster::FsFor(const std::string& user, const std::string& delegation_token) {
  if (settings_.security.kerberos() && delegation_token.empty())
    return PermissionDenied("the job master has no delegation token to act for {} at the namenode", user);
  const std::string& key = settings_.security.kerberos() ? delegation_token : user;
  std::lock_guard lock(fs_mu_);
  auto it = fs_by_user_.find(key);
  if (it != fs_by_user_.end()) return it->second.get();
  return ConnectAs(user, delegation_token, key);
}

Status JobMaster::ClaimJobToken(const std::string& user, const std::string& delegation_token) {
  std::lock_guard lock(fs_mu_);
  if (fs_by_user_.count(delegation_token) != 0)
    return InvalidArgument("this delegation token already belongs to a running job; every job needs its own");
  return ConnectAs(user, delegation_token, delegation_token).status();
}

void JobMaster::ReleaseJobToken(const std::string& delegation_token) {
  std::unique_ptr<client::FileSystem> fs;  // closed outside the lock
  std::lock_guard lock(fs_mu_);
  auto it = fs_by_user_.find(delegation_token);
  if (it == fs_by_user_.end()) return;
  fs = std::move(it->second);
  fs_by_user_.erase(it);
}

void JobMaster::ForgetJobToken(const std::string& delegation_token) {
  if (delegation_token.empty()) return;
  std::unique_ptr<client::FileSystem> fs;
  {
    std::lock_guard lock(fs_mu_);
    auto it = fs_by_user_.find(delegation_token);
    if (it == fs_by_user_.end()) return;
    fs = std::move(it->second);
    fs_by_user_.erase(it);
  }
  // The token's owner may cancel it, and the job master speaks with its voice.
  hadoop::common::CancelDelegationTokenRequestProto req;
  *req.mutable_token() = *fs->options().delegation_token;
  auto cancelled = fs->namenode().CancelDelegationToken(req);
  if (!cancelled.ok()) spdlog::warn("cannot cancel a finished job's delegation token: {}", cancelled.status().ToString());
}

Result<client::FileSystem*> JobMaster::OwnFs() {
  std::lock_guard lock(own_mu_);
  // The first ticket came in Create; a fresh one once half its lifetime has passed.
  const int64_t now = MonotonicMillis();
  if (now - own_login_mono_ms_ > own_ticket_lifetime_ms_ / 2) {
    ASSIGN_OR_RETURN(own_ticket_lifetime_ms_,
                     KinitFromKeytab(settings_.kerberos_principal, settings_.keytab, kOwnCredentialCache));
    own_login_mono_ms_ = now;
  }
  if (!own_fs_) {
    client::ClientOptions options;
    options.namenode = settings_.namenode;
    options.namenode_principal = settings_.namenode_principal;
    options.tls_ca_file = settings_.security.tls_ca_file;
    options.client_name = "cairn-jobmaster-renewer-" + std::to_string(start_ms_);
    ASSIGN_OR_RETURN(own_fs_, client::FileSystem::Connect(options));
  }
  return own_fs_.get();
}

Result<int64_t> JobMaster::RenewJobToken(const std::string& delegation_token) {
  hadoop::common::RenewDelegationTokenRequestProto req;
  ASSIGN_OR_RETURN(*req.mutable_token(), ParseSerializedToken(delegation_token));
  ASSIGN_OR_RETURN(client::FileSystem * fs, OwnFs());
  ASSIGN_OR_RETURN(auto resp, fs->namenode().RenewDelegationToken(req));
  return static_cast<int64_t>(resp.newexpirytime());
}

void JobMaster::RenewDueTokens() {
  if (!settings_.security.kerberos()) return;
  std::vector<std::pair<std::string, std::string>> due;  // job id, token
  const int64_t now = MonotonicMillis();
  {
    std::lock_guard lock(mu_);
    for (auto& [id, job] : jobs_) {
      if (job->delegation_token.empty() || now < job->token_renew_mono_ms) continue;
      job->token_renew_mono_ms = now + settings_.token_renew_interval_ms;
      due.emplace_back(id, job->delegation_token);
    }
  }
  for (const auto& [id, token] : due) {
    auto expiry = RenewJobToken(token);
    if (expiry.ok()) {
      spdlog::debug("job {}: delegation token renewed until {}", id, *expiry);
    } else {
      spdlog::warn("job {}: cannot renew its delegation token: {}", id, expiry.status().ToString());
    }
  }
}

}  // namespace cairn::compute
