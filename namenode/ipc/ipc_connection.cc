#include "namenode/ipc/ipc_connection.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/clock.h"
#include "common/delegation_token.h"
#include "common/endian.h"
#include "common/error_codes.h"
#include "common/proto_io.h"
#include "hadoop/IpcConnectionContext.pb.h"
#include "namenode/ipc/ipc_server.h"
#include "namenode/ipc/sasl_negotiation.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/proxy_users.h"
#include "namenode/rpc/user_group_resolver.h"

namespace cairn::namenode::ipc {

using hadoop::common::RpcResponseHeaderProto;
using hadoop::common::RpcSaslProto;

namespace {
constexpr size_t kReadChunk = 64 << 10;  // bytes asked of each recv
constexpr int kReadsPerEvent = 16;       // then other connections get their turn
constexpr size_t kPreambleBytes = 7;
constexpr const char* kVersionMismatch = "org.apache.hadoop.ipc.RPC$VersionMismatch";
constexpr const char* kRpcServerException = "org.apache.hadoop.ipc.RpcServerException";
constexpr const char* kNoSuchMethod = "org.apache.hadoop.ipc.RpcNoSuchMethodException";
constexpr const char* kAccessControl = "org.apache.hadoop.security.AccessControlException";
constexpr const char* kHttpReply =
    "HTTP/1.1 404 Not Found\r\nContent-type: text/plain\r\n\r\n"
    "It looks like you are making an HTTP request to a Hadoop IPC port. "
    "This is not the correct port for the web interface on this daemon.\r\n";
}  // namespace

IpcConnection::IpcConnection(HadoopIpcServer& server, HadoopIpcServer::Reader& reader, Socket socket)
    : server_(server),
      reader_(reader),
      loop_(reader.loop),
      socket_(std::move(socket)),
      peer_(socket_.PeerAddress()),
      connected_ms_(MonotonicMillis()),
      max_calls_(server.settings_.max_calls_per_connection),
      last_activity_ms_(connected_ms_) {
  caller_.client_address = socket_.PeerHost();
}

IpcConnection::~IpcConnection() = default;

Status IpcConnection::Start() {
  const int flags = ::fcntl(socket_.fd(), F_GETFL);
  if (flags < 0 || ::fcntl(socket_.fd(), F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError(errno, "fcntl(O_NONBLOCK)");
  interest_ = EPOLLIN;
  return loop_->Add(socket_.fd(), interest_, this);
}

void IpcConnection::Close(const Status& why) {
  if (closed_) return;
  closed_ = true;
  loop_->Remove(socket_.fd());
  {
    std::lock_guard lock(out_mu_);
    out_closed_ = true;
    out_.clear();
    out_bytes_.store(0);
  }
  socket_.ShutdownBoth();
  parked_ = nullptr;
  if (why.code() == ErrorCode::kProtocolError || why.code() == ErrorCode::kPermissionDenied ||
      why.code() == ErrorCode::kTimedOut || why.code() == ErrorCode::kResourceExhausted) {
    spdlog::warn("IPC connection from {} closed: {}", peer_, why.ToString());
  } else {
    spdlog::debug("IPC connection from {} closed: {}", peer_, why.ToString());
  }
  server_.Forget(reader_, this);
}

void IpcConnection::OnEvents(uint32_t events) {
  if (closed_) return;
  if (events & (EPOLLHUP | EPOLLERR)) {
    // Both directions are down (or the socket failed): nothing more can come or go.
    Close(Unavailable("the connection was reset or hung up"));
    return;
  }
  if (events & EPOLLOUT) FlushOutput();
  if (closed_) return;
  if (events & EPOLLIN) ReadAvailable();
  if (!closed_) UpdateInterest();
}

bool IpcConnection::ReadingPaused() const {
  return closed_ || handshake_busy_ || parked_ != nullptr ||
         calls_running_.load() >= max_calls_ ||
         out_bytes_.load() >= server_.settings_.max_reply_bytes_buffered;
}

void IpcConnection::UpdateInterest() {
  if (closed_) return;
  uint32_t want = ReadingPaused() ? 0 : EPOLLIN;
  if (out_bytes_.load() > 0) want |= EPOLLOUT;
  if (want == interest_) return;
  Status st = loop_->SetInterest(socket_.fd(), want, this);
  if (!st.ok()) {
    Close(st);
    return;
  }
  interest_ = want;
}

void IpcConnection::Wake() {
  loop_->Post([self = shared_from_this()] { self->Resume(); });
}

void IpcConnection::Resume() {
  if (closed_) return;
  if (parked_ && server_.handlers_->TrySubmit(parked_)) parked_ = nullptr;
  ProcessInput();
  UpdateInterest();
}

void IpcConnection::ReadAvailable() {
  char chunk[kReadChunk];
  for (int i = 0; i < kReadsPerEvent && !ReadingPaused(); ++i) {
    const ssize_t n = ::recv(socket_.fd(), chunk, sizeof chunk, 0);
    if (n == 0) {
      Close(Unavailable("the client closed the connection"));
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      Close(ErrnoError(errno, "recv"));
      return;
    }
    if (in_pos_ == in_.size()) {
      in_.clear();
      in_pos_ = 0;
    }
    in_.append(chunk, static_cast<size_t>(n));  // grows with what came, not with what was announced
    last_activity_ms_.store(MonotonicMillis());
    ProcessInput();
    if (closed_) return;
    if (static_cast<size_t>(n) < sizeof chunk) return;  // drained for now
  }
}

Result<size_t> IpcConnection::FrontFrameBytes() const {
  const size_t have = in_.size() - in_pos_;
  if (phase_ == Phase::kPreamble) return have >= kPreambleBytes ? kPreambleBytes : 0;
  if (have < 4) return size_t{0};
  const uint32_t len = LoadBigEndian32(reinterpret_cast<const uint8_t*>(in_.data() + in_pos_));
  if (len == 0 || len > server_.settings_.max_frame_bytes) {
    return ProtocolError("frame length {} outside 1..{}", len, server_.settings_.max_frame_bytes);
  }
  return size_t{4} + len;
}

void IpcConnection::ProcessInput() {
  while (!closed_ && !ReadingPaused()) {
    auto need = FrontFrameBytes();
    if (!need.ok()) {
      Close(Fatal(-1, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException, need.status()));
      return;
    }
    const size_t have = in_.size() - in_pos_;
    if (*need == 0 || have < *need) {
      // Incomplete: the whole-request deadline runs from its first byte.
      if (have == 0) {
        partial_since_ms_ = -1;
      } else if (partial_since_ms_ < 0) {
        partial_since_ms_ = MonotonicMillis();
      }
      break;
    }
    const std::string_view frame(in_.data() + in_pos_, *need);
    in_pos_ += *need;
    partial_since_ms_ = -1;
    Status st;
    switch (phase_) {
      case Phase::kPreamble:
        st = ProcessPreamble();
        if (st.ok()) phase_ = Phase::kHandshake;
        break;
      case Phase::kHandshake: {
        handshake_busy_ = true;
        SubmitOrPark([self = shared_from_this(), f = std::string(frame.substr(4))] {
          auto done = self->HandshakeStep(f);
          self->loop_->Post([self, done] { self->HandshakeStepDone(done); });
        });
        break;
      }
      case Phase::kCalls:
        st = ProcessCall(frame.substr(4));
        break;
    }
    if (!st.ok()) {
      Close(st);
      return;
    }
  }
  // Keep the buffer small: drop what was handled once it is most of it.
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > kReadChunk && in_pos_ * 2 > in_.size()) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
}

Status IpcConnection::ProcessPreamble() {
  const auto* pre = reinterpret_cast<const uint8_t*>(in_.data() + in_pos_ - kPreambleBytes);
  if (std::memcmp(pre, "GET ", 4) == 0 || std::memcmp(pre, "POST", 4) == 0) {
    Send(kHttpReply);
    return ProtocolError("HTTP request on the IPC port");
  }
  if (std::memcmp(pre, kIpcMagic, 4) != 0) return ProtocolError("connection does not start with 'hrpc'");
  if (pre[4] != kIpcVersion) {
    return Fatal(-1, RpcResponseHeaderProto::FATAL_VERSION_MISMATCH, kVersionMismatch,
                 ProtocolError("Server IPC version {} cannot communicate with client version {}", kIpcVersion, pre[4]));
  }
  if (pre[6] != kAuthNone && pre[6] != kAuthSasl) {
    return Fatal(-1, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                 PermissionDenied("unknown authentication protocol {}", pre[6]));
  }
  auth_protocol_ = pre[6];
  const auto& s = server_.settings_;
  if (!s.kerberos_principal.empty()) sasl_ = std::make_unique<SaslNegotiation>(s.kerberos_principal, s.keytab, s.delegation_tokens);
  return Status::OK();
}

void IpcConnection::SubmitOrPark(std::function<void()> task) {
  if (!server_.handlers_->TrySubmit(task)) parked_ = std::move(task);  // retried by the tick and by Wake
}

void IpcConnection::HandshakeStepDone(const Result<bool>& done) {
  handshake_busy_ = false;
  if (closed_) return;
  if (!done.ok()) {
    Close(done.status());
    return;
  }
  if (*done) phase_ = Phase::kCalls;
  ProcessInput();  // the first calls often came right behind the context
  UpdateInterest();
}

Result<bool> IpcConnection::HandshakeStep(const std::string& frame) {
  const bool kerberos = sasl_ != nullptr;
  IpcCall call;
  Status st = ParseCallFrame(frame, &call);
  if (!st.ok()) return Fatal(-1, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException, st);
  int32_t id = call.rpc_header.callid();
  if (kerberos && auth_protocol_ != kAuthSasl) {
    // A SIMPLE client: let it send its context and first call, and refuse that call, so
    // the client reads the reason instead of finding the connection closed.
    if (id == kConnectionContextCallId) return false;
    return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                 PermissionDenied("SIMPLE authentication is not enabled.  Available:[KERBEROS] (the namenode runs "
                                  "with --security=kerberos: get a ticket with kinit, and set "
                                  "hadoop.security.authentication=kerberos or CAIRN_NAMENODE_PRINCIPAL)"));
  }
  if (id == kSaslCallId) {
    RpcSaslProto msg;
    std::string_view body = call.body;
    st = ConsumeDelimited(&body, &msg);
    if (!st.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_DESERIALIZING_REQUEST, kRpcServerException, st);
    if (kerberos) {
      auto reply = sasl_->Step(msg);
      if (!reply.ok()) {
        spdlog::warn("IPC connection from {}: authentication failed: {}", peer_, reply.status().ToString());
        return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, reply.status());
      }
      Send(BuildReplyFrame(SuccessHeader(call.rpc_header), &*reply));
      return false;
    }
    if (msg.state() != RpcSaslProto::NEGOTIATE) {
      return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                   PermissionDenied("only SIMPLE authentication is enabled"));
    }
    // A SIMPLE-only server answers NEGOTIATE with SUCCESS; the client proceeds unauthenticated.
    RpcSaslProto reply;
    reply.set_state(RpcSaslProto::SUCCESS);
    Send(BuildReplyFrame(SuccessHeader(call.rpc_header), &reply));
    return false;
  }
  if (id != kConnectionContextCallId) {
    return Fatal(id, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException,
                 ProtocolError("expected the connection context (call id -3), got call id {}", id));
  }
  hadoop::common::IpcConnectionContextProto context;
  std::string_view body = call.body;
  st = ConsumeDelimited(&body, &context);
  if (!st.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_DESERIALIZING_REQUEST, kRpcServerException, st);
  const auto& info = context.userinfo();
  if (kerberos) {
    if (!sasl_->done()) {
      return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                   PermissionDenied("the connection context came before Kerberos authentication finished"));
    }
    std::string name;
    std::string authenticated;  // who, for messages
    if (sasl_->method() == AuthMethod::kToken) {
      auto token = DecodeDelegationTokenIdentifier(sasl_->token_identifier());
      if (!token.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, token.status());
      name = token->owner;
      authenticated = fmt::format("a delegation token of {}", token->owner);
    } else {
      auto mapped = server_.settings_.auth_to_local->Map(sasl_->principal());
      if (!mapped.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, mapped.status());
      name = *mapped;
      authenticated = sasl_->principal();
    }
    // The context's names count for nothing here: the caller is who the ticket or token
    // says, or, for a proxy user the rules allow, the user it acts for.
    caller_.user = name;
    caller_.auth = sasl_->method();
    Status proxied = ApplyImpersonation(info.effectiveuser(), sasl_->method() == AuthMethod::kKerberos ? authenticated : "",
                                        server_.settings_.proxy_users, server_.groups_, &caller_);
    if (!proxied.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, proxied);
    caller_.groups = server_.groups_.GroupsFor(caller_.user);
    spdlog::debug("IPC connection from {} authenticated as {} ({})", peer_, authenticated, caller_.user);
    sasl_.reset();
    return true;
  }
  caller_.user = !info.effectiveuser().empty() ? info.effectiveuser() : info.realuser();
  if (caller_.user.empty()) {
    return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, PermissionDenied("connection context names no user"));
  }
  caller_.groups = server_.groups_.GroupsFor(caller_.user);
  return true;
}

Status IpcConnection::ProcessCall(std::string_view frame) {
  IpcCall call;
  Status st = ParseCallFrame(frame, &call);
  if (!st.ok()) return Fatal(-1, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException, st);
  if (call.rpc_header.rpcop() == hadoop::common::RpcRequestHeaderProto::RPC_CLOSE_CONNECTION) {
    return Unavailable("client closed the connection");
  }
  const int32_t id = call.rpc_header.callid();
  if (id == kPingCallId) return Status::OK();
  if (id < 0) {
    return Fatal(id, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException,
                 ProtocolError("unexpected call id {}", id));
  }
  return Dispatch(call);
}

Status IpcConnection::Dispatch(const IpcCall& call) {
  const auto& rpc = call.rpc_header;
  const std::string& name = call.request_header.methodname();
  const MethodTable::Method* method = server_.methods_.Find(name);
  if (method == nullptr) {
    auto header = ErrorHeader(rpc.callid(), rpc.clientid(), /*fatal=*/false, RpcResponseHeaderProto::ERROR_NO_SUCH_METHOD,
                              kNoSuchMethod,
                              fmt::format("Unknown method {} called on {} protocol.", name,
                                          call.request_header.declaringclassprotocolname()));
    Send(BuildReplyFrame(header, nullptr));
    return Status::OK();
  }
  std::unique_ptr<google::protobuf::Message> request(method->request_prototype->New());
  std::string_view body = call.body;
  Status st = ConsumeDelimited(&body, request.get());
  if (!st.ok()) {
    return Fatal(rpc.callid(), RpcResponseHeaderProto::FATAL_DESERIALIZING_REQUEST, kRpcServerException,
                 st.WithContext(name));
  }
  calls_running_.fetch_add(1);
  if (method->nonblocking) {
    // A read from memory: the loop answers it at once, sparing two thread switches.
    RunCall(rpc, *method, *request);
    return Status::OK();
  }
  if (method->try_inline) {
    // A change: applied here, answered by whichever thread completes its WAL sync; the
    // loop goes on reading meanwhile.
    std::shared_ptr<google::protobuf::Message> response(method->response_prototype->New());
    const bool inline_done = method->try_inline(
        caller_, *request, response.get(), [self = shared_from_this(), header = rpc, method, response](const Status& st) {
          self->Send(self->ReplyFrame(header, *method, st, *response));
          self->CallEnded();
        });
    if (inline_done) return Status::OK();
  }
  std::shared_ptr<google::protobuf::Message> req(std::move(request));
  SubmitOrPark([self = shared_from_this(), header = rpc, method, req] { self->RunCall(header, *method, *req); });
  return Status::OK();
}

void IpcConnection::RunCall(const hadoop::common::RpcRequestHeaderProto& header, const MethodTable::Method& method,
                            const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> response(method.response_prototype->New());
  Status st = method.handler(caller_, request, response.get());
  Send(ReplyFrame(header, method, st, *response));
  CallEnded();
}

void IpcConnection::CallEnded() {
  last_activity_ms_.store(MonotonicMillis());
  // The connection stopped being read at the bound: read it again now.
  if (calls_running_.fetch_sub(1) == max_calls_) Wake();
}

std::string IpcConnection::ReplyFrame(const hadoop::common::RpcRequestHeaderProto& header,
                                      const MethodTable::Method& method, const Status& st,
                                      const google::protobuf::Message& response) {
  if (st.ok() && !response.IsInitialized()) {
    // Stock clients reject replies missing a required field: a bug here, reported as one.
    spdlog::error("{} reply lacks required fields: {}", method.name, response.InitializationErrorString());
    auto error = ErrorHeader(header.callid(), header.clientid(), /*fatal=*/false,
                             RpcResponseHeaderProto::ERROR_SERIALIZING_RESPONSE, kRpcServerException,
                             fmt::format("{} reply lacks required fields: {}", method.name,
                                         response.InitializationErrorString()));
    return BuildReplyFrame(error, nullptr);
  }
  if (st.ok()) return BuildReplyFrame(SuccessHeader(header), &response);
  auto error = ErrorHeader(header.callid(), header.clientid(), /*fatal=*/false, RpcResponseHeaderProto::ERROR_APPLICATION,
                           HadoopExceptionClass(st.code()), st.message());
  error.set_retrycount(header.retrycount());
  return BuildReplyFrame(error, nullptr);
}

Status IpcConnection::Fatal(int32_t call_id, RpcResponseHeaderProto::RpcErrorCodeProto detail,
                            std::string_view exception_class, const Status& why) {
  auto header = ErrorHeader(call_id, "", /*fatal=*/true, detail, exception_class, why.message());
  Send(BuildReplyFrame(header, nullptr));
  return why;
}

void IpcConnection::Send(std::string frame) {
  bool arm = false;
  {
    std::lock_guard lock(out_mu_);
    if (out_closed_) return;
    size_t done = 0;
    if (out_.empty()) {
      while (done < frame.size()) {
        const ssize_t n = ::send(socket_.fd(), frame.data() + done, frame.size() - done, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
          done += static_cast<size_t>(n);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        // The client is gone: the loop sees the hang-up and closes.
        out_closed_ = true;
        socket_.ShutdownBoth();
        return;
      }
      if (done == frame.size()) return;
      out_progress_ms_ = MonotonicMillis();
      arm = true;
    }
    const size_t left = frame.size() - done;
    if (done > 0) frame.erase(0, done);
    out_.push_back(std::move(frame));
    out_bytes_.fetch_add(left);
  }
  if (!arm) return;
  if (loop_->InLoopThread()) {
    UpdateInterest();
  } else {
    Wake();
  }
}

void IpcConnection::FlushOutput() {
  bool was_full;
  {
    std::lock_guard lock(out_mu_);
    was_full = out_bytes_.load() >= server_.settings_.max_reply_bytes_buffered;
    while (!out_.empty()) {
      iovec iov[16];
      int count = 0;
      for (auto it = out_.begin(); it != out_.end() && count < 16; ++it, ++count) {
        const size_t skip = count == 0 ? out_offset_ : 0;
        iov[count].iov_base = it->data() + skip;
        iov[count].iov_len = it->size() - skip;
      }
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(count);
      const ssize_t n = ::sendmsg(socket_.fd(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        out_closed_ = true;  // the client is gone: the hang-up closes the connection
        socket_.ShutdownBoth();
        break;
      }
      out_progress_ms_ = MonotonicMillis();
      size_t sent = static_cast<size_t>(n);
      out_bytes_.fetch_sub(sent);
      while (sent > 0) {
        const size_t rest = out_.front().size() - out_offset_;
        if (sent < rest) {
          out_offset_ += sent;
          break;
        }
        sent -= rest;
        out_.pop_front();
        out_offset_ = 0;
      }
    }
    if (out_closed_) {
      out_.clear();
      out_bytes_.store(0);
    }
  }
  if (was_full && out_bytes_.load() < server_.settings_.max_reply_bytes_buffered) ProcessInput();
}

void IpcConnection::CheckDeadlines(int64_t now_ms) {
  if (closed_) return;
  if (parked_) {
    Resume();  // the pool may have room again
    if (closed_) return;
  }
  const auto& s = server_.settings_;
  // Time spent not reading (at a bound of ours) does not count against the client.
  if (partial_since_ms_ >= 0 && ReadingPaused()) partial_since_ms_ = now_ms;
  if (phase_ != Phase::kCalls && now_ms - connected_ms_ > s.request_timeout_ms) {
    Close(TimedOut("the connection header and handshake did not arrive within {} ms (--namenode_ipc_request_timeout_ms)",
                   s.request_timeout_ms));
    return;
  }
  if (partial_since_ms_ >= 0 && !ReadingPaused() && now_ms - partial_since_ms_ > s.request_timeout_ms) {
    Close(TimedOut("a request did not arrive whole within {} ms (--namenode_ipc_request_timeout_ms)", s.request_timeout_ms));
    return;
  }
  bool stalled;
  {
    std::lock_guard lock(out_mu_);
    stalled = !out_.empty() && now_ms - out_progress_ms_ > s.request_timeout_ms;
  }
  if (stalled) {
    Close(TimedOut("its client took none of its replies for {} ms (--namenode_ipc_request_timeout_ms)", s.request_timeout_ms));
    return;
  }
  const bool quiet = phase_ == Phase::kCalls && calls_running_.load() == 0 && in_pos_ == in_.size() && out_bytes_.load() == 0;
  if (s.idle_timeout_ms > 0 && quiet && now_ms - last_activity_ms_.load() > s.idle_timeout_ms) {
    Close(Unavailable("idle for {} ms", s.idle_timeout_ms));
  }
}

}  // namespace cairn::namenode::ipc
