#include "client/namenode_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/clock.h"
#include "common/grpc_status.h"
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
    : settings_(std::move(settings)), channel_(std::move(channel)), stub_(ClientNamenode::NewStub(channel_)) {
  // Kerberos on the gRPC door: log in with the ticket, unless a delegation token speaks for us.
  if (settings_.kerberos_principal.empty() || settings_.delegation_token) return;
  auto hp = HostPort::Parse(settings_.address);
  login_ = std::make_unique<GrpcLoginClient>(
      settings_.kerberos_principal, hp.ok() ? hp->host : "", "the namenode's gRPC door", settings_.rpc_timeout_ms,
      [stub = stub_.get()](grpc::ClientContext* ctx, const AuthenticateRequest& req, AuthenticateResponse* resp) {
        return stub->Authenticate(ctx, req, resp);
      });
}

NamenodeClient::NamenodeClient(std::unique_ptr<IpcChannel> ipc, NamenodeClientSettings settings)
    : settings_(std::move(settings)), ipc_(std::move(ipc)) {}

void NamenodeClient::PrepareContext(grpc::ClientContext* ctx) {
  ctx->AddMetadata(kUserMetadataKey, settings_.user);
  if (settings_.delegation_token)
    ctx->AddMetadata(kDelegationTokenMetadataKey, settings_.delegation_token->SerializeAsString());
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(settings_.rpc_timeout_ms));
}

Status NamenodeClient::CallGrpc(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  auto once = [&](grpc::ClientContext* ctx) {
    PrepareContext(ctx);
    return FromGrpcStatus(call(ctx));
  };
  if (login_) return login_->Call(once);
  grpc::ClientContext ctx;
  return once(&ctx);
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
