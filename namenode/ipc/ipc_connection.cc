#include "namenode/ipc/ipc_connection.h"

#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

#include "common/endian.h"
#include "common/error_codes.h"
#include "common/proto_io.h"
#include "hadoop/IpcConnectionContext.pb.h"
#include "namenode/ipc/ipc_server.h"
#include "common/delegation_token.h"
#include "namenode/ipc/sasl_negotiation.h"
#include "namenode/rpc/proxy_users.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/user_group_resolver.h"

namespace cairn::namenode::ipc {

using hadoop::common::RpcResponseHeaderProto;
using hadoop::common::RpcSaslProto;

namespace {
// A frame's buffer starts this big and grows as its bytes arrive.
constexpr size_t kFirstFrameChunk = 64 << 10;
constexpr const char* kVersionMismatch = "org.apache.hadoop.ipc.RPC$VersionMismatch";
constexpr const char* kRpcServerException = "org.apache.hadoop.ipc.RpcServerException";
constexpr const char* kNoSuchMethod = "org.apache.hadoop.ipc.RpcNoSuchMethodException";
constexpr const char* kAccessControl = "org.apache.hadoop.security.AccessControlException";
constexpr const char* kHttpReply =
    "HTTP/1.1 404 Not Found\r\nContent-type: text/plain\r\n\r\n"
    "It looks like you are making an HTTP request to a Hadoop IPC port. "
    "This is not the correct port for the web interface on this daemon.\r\n";
}  // namespace

IpcConnection::IpcConnection(HadoopIpcServer& server, Socket socket)
    : server_(server), socket_(std::move(socket)), reader_(&socket_), peer_(socket_.PeerAddress()) {
  caller_.client_address = socket_.PeerHost();
}

void IpcConnection::Close() { socket_.ShutdownBoth(); }

Status IpcConnection::WriteFrame(const std::string& frame) {
  std::lock_guard lock(write_mu_);
  return socket_.WriteFully(frame);
}

Status IpcConnection::Fatal(int32_t call_id, RpcResponseHeaderProto::RpcErrorCodeProto detail,
                            std::string_view exception_class, const Status& why) {
  auto header = ErrorHeader(call_id, "", /*fatal=*/true, detail, exception_class, why.message());
  (void)WriteFrame(BuildReplyFrame(header, nullptr));
  return why;
}

Status IpcConnection::ReadPreamble() {
  uint8_t pre[7];
  RETURN_IF_ERROR(reader_.ReadFully(pre, sizeof pre));
  if (std::memcmp(pre, "GET ", 4) == 0 || std::memcmp(pre, "POST", 4) == 0) {
    (void)WriteFrame(kHttpReply);
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
  return Status::OK();
}

Status IpcConnection::ReadFrame(std::string* frame) {
  uint8_t len_bytes[4];
  for (;;) {
    Status st = reader_.WaitReadable();
    // A receive timeout is only idleness when no call of ours is still running.
    if (st.code() == ErrorCode::kTimedOut && calls_running_.load() > 0) continue;
    if (st.code() == ErrorCode::kTimedOut) return TimedOut("idle for {} ms", server_.settings_.idle_timeout_ms);
    RETURN_IF_ERROR(st);
    break;
  }
  RETURN_IF_ERROR(reader_.ReadFully(len_bytes, 4));
  uint32_t len = LoadBigEndian32(len_bytes);
  if (len == 0 || len > server_.settings_.max_frame_bytes) {
    return Fatal(-1, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException,
                 ProtocolError("frame length {} outside 1..{}", len, server_.settings_.max_frame_bytes));
  }
  // Grow the buffer with the bytes that really arrive (at most doubling it), never to a
  // length the client merely announced.
  frame->clear();
  size_t have = 0;
  while (have < len) {
    const size_t chunk = std::min<size_t>(len - have, std::max<size_t>(have, kFirstFrameChunk));
    frame->resize(have + chunk);
    RETURN_IF_ERROR(reader_.ReadFully(frame->data() + have, chunk));
    have += chunk;
  }
  return Status::OK();
}

Status IpcConnection::Handshake() {
  const bool kerberos = !server_.settings_.kerberos_principal.empty();
  std::unique_ptr<SaslNegotiation> sasl;
  if (kerberos)
    sasl = std::make_unique<SaslNegotiation>(server_.settings_.kerberos_principal, server_.settings_.keytab,
                                             server_.settings_.delegation_tokens);
  std::string frame;
  for (;;) {
    RETURN_IF_ERROR(ReadFrame(&frame));
    IpcCall call;
    Status st = ParseCallFrame(frame, &call);
    if (!st.ok()) return Fatal(-1, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException, st);
    int32_t id = call.rpc_header.callid();
    if (kerberos && auth_protocol_ != kAuthSasl) {
      // A SIMPLE client: let it send its context and first call, and refuse that call, so
      // the client reads the reason instead of finding the connection closed.
      if (id == kConnectionContextCallId) continue;
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
        auto reply = sasl->Step(msg);
        if (!reply.ok()) {
          spdlog::warn("IPC connection from {}: authentication failed: {}", peer_, reply.status().ToString());
          return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, reply.status());
        }
        RETURN_IF_ERROR(WriteFrame(BuildReplyFrame(SuccessHeader(call.rpc_header), &*reply)));
        continue;
      }
      if (msg.state() != RpcSaslProto::NEGOTIATE) {
        return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                     PermissionDenied("only SIMPLE authentication is enabled"));
      }
      // A SIMPLE-only server answers NEGOTIATE with SUCCESS; the client proceeds unauthenticated.
      RpcSaslProto reply;
      reply.set_state(RpcSaslProto::SUCCESS);
      RETURN_IF_ERROR(WriteFrame(BuildReplyFrame(SuccessHeader(call.rpc_header), &reply)));
      continue;
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
      if (!sasl->done()) {
        return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                     PermissionDenied("the connection context came before Kerberos authentication finished"));
      }
      std::string name;
      std::string authenticated;  // who, for messages
      if (sasl->method() == AuthMethod::kToken) {
        auto token = DecodeDelegationTokenIdentifier(sasl->token_identifier());
        if (!token.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, token.status());
        name = token->owner;
        authenticated = fmt::format("a delegation token of {}", token->owner);
      } else {
        auto mapped = server_.settings_.auth_to_local->Map(sasl->principal());
        if (!mapped.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, mapped.status());
        name = *mapped;
        authenticated = sasl->principal();
      }
      // The context's names count for nothing here: the caller is who the ticket or token
      // says, or, for a proxy user the rules allow, the user it acts for.
      caller_.user = name;
      caller_.auth = sasl->method();
      Status proxied = ApplyImpersonation(info.effectiveuser(), sasl->method() == AuthMethod::kKerberos ? authenticated : "",
                                          server_.settings_.proxy_users, server_.groups_, &caller_);
      if (!proxied.ok()) return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl, proxied);
      caller_.groups = server_.groups_.GroupsFor(caller_.user);
      spdlog::debug("IPC connection from {} authenticated as {} ({})", peer_, authenticated, caller_.user);
      return Status::OK();
    }
    caller_.user = !info.effectiveuser().empty() ? info.effectiveuser() : info.realuser();
    if (caller_.user.empty()) {
      return Fatal(id, RpcResponseHeaderProto::FATAL_UNAUTHORIZED, kAccessControl,
                   PermissionDenied("connection context names no user"));
    }
    caller_.groups = server_.groups_.GroupsFor(caller_.user);
    return Status::OK();
  }
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
    return WriteFrame(BuildReplyFrame(header, nullptr));
  }
  std::unique_ptr<google::protobuf::Message> request(method->request_prototype->New());
  std::string_view body = call.body;
  Status st = ConsumeDelimited(&body, request.get());
  if (!st.ok()) {
    return Fatal(rpc.callid(), RpcResponseHeaderProto::FATAL_DESERIALIZING_REQUEST, kRpcServerException,
                 st.WithContext(name));
  }
  if (method->nonblocking) {
    // A read from memory: this reader answers it at once, sparing two thread switches; a
    // client that does not read its replies then stalls only its own connection.
    RunCall(rpc, *method, *request);
    return Status::OK();
  }
  calls_running_.fetch_add(1);
  if (method->try_inline) {
    // A change: applied here, answered by whichever thread completes its WAL sync; this
    // reader goes on reading the connection's next calls meanwhile.
    std::shared_ptr<google::protobuf::Message> response(method->response_prototype->New());
    const bool inline_done = method->try_inline(
        caller_, *request, response.get(), [self = shared_from_this(), header = rpc, method, response](const Status& st) {
          self->WriteFrameWithoutBlocking(self->ReplyFrame(header, *method, st, *response));
          self->calls_running_.fetch_sub(1);
        });
    if (inline_done) return Status::OK();
  }
  std::shared_ptr<google::protobuf::Message> req(std::move(request));
  bool queued = server_.handlers_->Submit([self = shared_from_this(), header = rpc, method, req] {
    self->RunCall(header, *method, *req);
    self->calls_running_.fetch_sub(1);
  });
  if (!queued) {
    calls_running_.fetch_sub(1);
    return Unavailable("server is shutting down");
  }
  return Status::OK();
}

void IpcConnection::RunCall(const hadoop::common::RpcRequestHeaderProto& header, const MethodTable::Method& method,
                            const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> response(method.response_prototype->New());
  Status st = method.handler(caller_, request, response.get());
  // A write failure means the client went away; its reader thread notices and cleans up.
  (void)WriteFrame(ReplyFrame(header, method, st, *response));
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

void IpcConnection::WriteFrameWithoutBlocking(const std::string& frame) {
  std::lock_guard lock(write_mu_);
  size_t done = 0;
  while (done < frame.size()) {
    const ssize_t n = ::send(socket_.fd(), frame.data() + done, frame.size() - done, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      spdlog::warn("IPC connection from {} closed: its client does not read its replies", peer_);
    }
    // Gone or not reading: its reader thread notices the shutdown and cleans up.
    socket_.ShutdownBoth();
    return;
  }
}

void IpcConnection::Run() {
  Status st = ReadPreamble();
  if (st.ok()) st = Handshake();
  std::string frame;
  while (st.ok()) {
    st = ReadFrame(&frame);
    if (!st.ok()) break;
    IpcCall call;
    st = ParseCallFrame(frame, &call);
    if (!st.ok()) {
      st = Fatal(-1, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException, st);
      break;
    }
    if (call.rpc_header.rpcop() == hadoop::common::RpcRequestHeaderProto::RPC_CLOSE_CONNECTION) {
      st = Unavailable("client closed the connection");
      break;
    }
    int32_t id = call.rpc_header.callid();
    if (id == kPingCallId) continue;
    if (id < 0) {
      st = Fatal(id, RpcResponseHeaderProto::FATAL_INVALID_RPC_HEADER, kRpcServerException,
                 ProtocolError("unexpected call id {}", id));
      break;
    }
    st = Dispatch(call);
  }
  if (st.code() == ErrorCode::kProtocolError || st.code() == ErrorCode::kPermissionDenied) {
    spdlog::warn("IPC connection from {} closed: {}", peer_, st.ToString());
  } else {
    spdlog::debug("IPC connection from {} closed: {}", peer_, st.ToString());
  }
  socket_.ShutdownBoth();
}

}  // namespace cairn::namenode::ipc
