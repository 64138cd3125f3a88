#include "client/namenode_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "client/ipc_kerberos.h"
#include "common/clock.h"
#include "common/grpc_status.h"
#include "common/gssapi.h"
#include "common/socket.h"
#include "common/tls_credentials.h"

namespace cairn::client {

namespace {
constexpr int kFirstBackoffMs = 50;
constexpr int kMaxBackoffMs = 2000;

constexpr std::string_view kIpcScheme = "hdfs://";
}  // namespace

Result<std::unique_ptr<NamenodeClient>> NamenodeClient::Create(const NamenodeClientSettings& settings) {
  if (settings.address.empty())
    return InvalidArgument("no namenode address given (use --namenode HOST:PORT or set $CAIRN_NAMENODE)");
  if (settings.address.rfind(kIpcScheme, 0) == 0) {
    std::string_view rest = std::string_view(settings.address).substr(kIpcScheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    auto hp = HostPort::Parse(rest);
    if (!hp.ok()) return hp.status().WithContext("namenode address");
    IpcChannelSettings ipc;
    ipc.host = hp->host;
    ipc.port = hp->port;
    ipc.user = settings.user;
    ipc.kerberos_principal = settings.kerberos_principal;
    ipc.delegation_token = settings.delegation_token;
    ipc.timeout_ms = settings.rpc_timeout_ms;
    return std::unique_ptr<NamenodeClient>(new NamenodeClient(std::make_unique<IpcChannel>(std::move(ipc)), settings));
  }
  auto hp = HostPort::Parse(settings.address);
  if (!hp.ok()) return hp.status().WithContext("namenode address");
  grpc::ChannelArguments args;
  // Listings, fsck reports and block lists of big files can exceed gRPC's 4 MiB default.
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // A secure cluster's gRPC door speaks TLS with a certificate from the cluster CA.
  ASSIGN_OR_RETURN(auto credentials, MakeClientChannelCredentials(settings.tls_ca_file));
  auto channel = grpc::CreateCustomChannel(hp->ToString(), credentials, args);
  return std::make_unique<NamenodeClient>(std::move(channel), settings);
}

NamenodeClient::NamenodeClient(std::shared_ptr<grpc::Channel> channel, NamenodeClientSettings settings)
    : settings_(std::move(settings)), channel_(std::move(channel)), stub_(ClientNamenode::NewStub(channel_)) {}

NamenodeClient::NamenodeClient(std::unique_ptr<IpcChannel> ipc, NamenodeClientSettings settings)
    : settings_(std::move(settings)), ipc_(std::move(ipc)) {}

void NamenodeClient::PrepareContext(grpc::ClientContext* ctx) {
  ctx->AddMetadata(kUserMetadataKey, settings_.user);
  if (settings_.delegation_token) {
    ctx->AddMetadata(kDelegationTokenMetadataKey, settings_.delegation_token->SerializeAsString());
  } else {
    std::lock_guard lock(login_mu_);
    if (!authn_token_.empty()) ctx->AddMetadata(kAuthnTokenMetadataKey, authn_token_);
  }
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(settings_.rpc_timeout_ms));
}

Status NamenodeClient::LogIn(bool again) {
  if (settings_.kerberos_principal.empty() || settings_.delegation_token) return Status::OK();
  std::lock_guard lock(login_mu_);
  // Log in again a minute before the token expires, so no call carries a dead one.
  if (!again && !authn_token_.empty() && WallMillis() < authn_expiry_ms_ - 60'000) return Status::OK();
  ASSIGN_OR_RETURN(HostPort hp, HostPort::Parse(settings_.address));
  ASSIGN_OR_RETURN(KerberosTarget target, ParseKerberosTarget(settings_.kerberos_principal, hp.host));
  ASSIGN_OR_RETURN(auto gss, GssContext::Initiator(target.service, target.host));
  ASSIGN_OR_RETURN(std::string token, gss->Step(""));
  AuthenticateRequest req;
  req.set_gss_token(std::move(token));
  AuthenticateResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(settings_.rpc_timeout_ms));
  Status st = FromGrpcStatus(stub_->Authenticate(&ctx, req, &resp));
  if (!st.ok()) return st.WithContext("Kerberos login with the namenode's gRPC door");
  // Mutual authentication: the reply proves the namenode holds its principal's keys.
  if (!gss->established()) {
    RETURN_IF_ERROR(gss->Step(resp.gss_token()).status());
    if (!gss->established()) return PermissionDenied("the namenode's Kerberos reply did not complete the login");
  }
  authn_token_ = resp.authn_token();
  authn_expiry_ms_ = static_cast<int64_t>(resp.expiry_ms());
  return Status::OK();
}

Status NamenodeClient::CallGrpc(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  for (int round = 0;; ++round) {
    RETURN_IF_ERROR(LogIn(/*again=*/round > 0));
    grpc::ClientContext ctx;
    PrepareContext(&ctx);
    Status st = FromGrpcStatus(call(&ctx));
    if (round == 0 && st.code() == ErrorCode::kPermissionDenied && !settings_.kerberos_principal.empty() &&
        !settings_.delegation_token && st.message().find(kLoginAgainMarker) != std::string::npos)
      continue;
    return st;
  }
}

Status NamenodeClient::Invoke(std::string_view method, Retry retry, const std::function<Status()>& attempt_call) {
  const int64_t give_up_at = MonotonicMillis() + settings_.rpc_retry_ms;
  int backoff_ms = kFirstBackoffMs;
  for (int attempt = 1;; ++attempt) {
    Status st = attempt_call();
    if (st.ok()) return st;
    const bool transport = st.code() == ErrorCode::kUnavailable || st.code() == ErrorCode::kTimedOut;
    if (!st.IsRetryable() || retry == Retry::kNo || MonotonicMillis() + backoff_ms > give_up_at) {
      if (transport) return st.WithContext(fmt::format("{} at namenode {}", method, settings_.address));
      return st;
    }
    spdlog::debug("{} attempt {} failed ({}); retrying in {} ms", method, attempt, st.ToString(), backoff_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
  }
}

}  // namespace cairn::client
