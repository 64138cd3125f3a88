#include "client/ipc_channel.h"

#include "client/ipc_kerberos.h"

#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "common/error_codes.h"
#include "common/ipc_framing.h"
#include "common/proto_io.h"

namespace cairn::client {

namespace {
using hadoop::common::RpcResponseHeaderProto;

std::string NewClientId() {
  std::random_device rd;
  std::string id(16, '\0');
  for (char& c : id) c = static_cast<char>(rd() & 0xff);
  return id;
}

// True when the peer closed the connection (EOF) while it sat in the pool.
bool ClosedWhileIdle(const Socket& socket) {
  char byte;
  const ssize_t n = ::recv(socket.fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}
}  // namespace

struct IpcChannel::Connection {
  explicit Connection(Socket s) : socket(std::move(s)), reader(&socket) {}
  Socket socket;
  BufferedReader reader;
  int32_t next_call_id = 0;
};

IpcChannel::IpcChannel(IpcChannelSettings settings) : settings_(std::move(settings)), client_id_(NewClientId()) {}

IpcChannel::~IpcChannel() = default;

Result<std::unique_ptr<IpcChannel::Connection>> IpcChannel::Open() {
  auto socket = ConnectTcp(settings_.host, settings_.port, settings_.timeout_ms);
  if (!socket.ok()) {
    return Unavailable("cannot connect to the namenode's IPC door {}:{}: {}", settings_.host, settings_.port,
                       socket.status().message());
  }
  RETURN_IF_ERROR(socket->SetTimeouts(settings_.timeout_ms, settings_.timeout_ms));
  auto conn = std::make_unique<Connection>(std::move(*socket));
  if (!settings_.kerberos_principal.empty() || settings_.delegation_token) {
    SaslLogin login;
    login.token = settings_.delegation_token;
    if (!login.token) {
      ASSIGN_OR_RETURN(login.target, ParseKerberosTarget(settings_.kerberos_principal, settings_.host));
    }
    Status st = conn->socket.WriteFully(ipc::BuildPreamble(ipc::kAuthSasl));
    if (st.ok()) st = AuthenticateToNamenode(conn->socket, conn->reader, login);
    if (!st.ok()) {
      if (st.code() == ErrorCode::kPermissionDenied) return st;
      return Unavailable("{} login with the namenode at {}:{}: {}", login.token ? "Delegation token" : "Kerberos",
                         settings_.host, settings_.port, st.message());
    }
    st = conn->socket.WriteFully(ipc::BuildConnectionContextFrame(settings_.user, client_id_));
    if (!st.ok()) return Unavailable("namenode IPC handshake with {}:{}: {}", settings_.host, settings_.port, st.message());
    return conn;
  }
  Status st = conn->socket.WriteFully(ipc::BuildConnectionStart(settings_.user, client_id_));
  if (!st.ok()) return Unavailable("namenode IPC handshake with {}:{}: {}", settings_.host, settings_.port, st.message());
  return conn;
}

std::unique_ptr<IpcChannel::Connection> IpcChannel::TakeIdle() {
  std::lock_guard lock(mu_);
  while (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    if (!ClosedWhileIdle(conn->socket)) return conn;
  }
  return nullptr;
}

void IpcChannel::GiveBack(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  if (idle_.size() < settings_.max_idle_connections) idle_.push_back(std::move(conn));
}

Status IpcChannel::Call(std::string_view method, const google::protobuf::Message& request,
                        google::protobuf::Message* response) {
  std::unique_ptr<Connection> conn = TakeIdle();
  const bool reused = conn != nullptr;
  if (!conn) {
    ASSIGN_OR_RETURN(conn, Open());
  }
  const int32_t call_id = conn->next_call_id;
  conn->next_call_id = call_id == INT32_MAX ? 0 : call_id + 1;
  Status st = conn->socket.WriteFully(ipc::BuildCallFrame(call_id, client_id_, method, request));
  if (!st.ok()) {
    // An incomplete frame is never run; a complete one sits unread on a dead connection.
    return Unavailable("sending {} to the namenode: {}", method, st.message());
  }
  auto lost = [&](const Status& why) -> Status {
    if (why.code() == ErrorCode::kTimedOut) return TimedOut("{}: no reply from the namenode: {}", method, why.message());
    return IoError("{}: connection to the namenode lost after the call was sent (it may have run): {}", method,
                   why.message());
  };
  st = conn->reader.WaitReadable();
  if (!st.ok()) {
    // A pooled connection the namenode closed while idle never read this call.
    if (reused && st.code() == ErrorCode::kUnavailable) return Unavailable("{}: idle connection closed", method);
    return lost(st);
  }
  std::string frame;
  st = ipc::ReadFrame(conn->reader, static_cast<uint32_t>(std::min<size_t>(settings_.max_reply_bytes, UINT32_MAX)),
                      &frame);
  if (st.code() == ErrorCode::kProtocolError) return st.WithContext(fmt::format("{}: namenode reply", method));
  if (!st.ok()) return lost(st);
  RpcResponseHeaderProto header;
  std::string_view body;
  RETURN_IF_ERROR(ipc::ParseReplyFrame(frame, &header, &body));
  if (header.status() == RpcResponseHeaderProto::FATAL && static_cast<int32_t>(header.callid()) != call_id)
    return Status(FromHadoopException(header.exceptionclassname()), header.errormsg());  // about the connection
  if (static_cast<int32_t>(header.callid()) != call_id)
    return ProtocolError("{}: reply for call {} while waiting for call {}", method, header.callid(), call_id);
  switch (header.status()) {
    case RpcResponseHeaderProto::SUCCESS:
      RETURN_IF_ERROR_CTX(ConsumeDelimited(&body, response), method);
      GiveBack(std::move(conn));
      return Status::OK();
    case RpcResponseHeaderProto::ERROR:
      GiveBack(std::move(conn));
      return Status(FromHadoopException(header.exceptionclassname()), header.errormsg());
    default:  // FATAL: the namenode closes the connection
      return Status(FromHadoopException(header.exceptionclassname()), header.errormsg());
  }
}

}  // namespace cairn::client
