#include "datanode/transfer/xceiver_server.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/data_transfer.h"
#include "common/proto_io.h"
#include "datanode/transfer/ops.h"
#include "datanode/transfer/write_block_op.h"

namespace cairn::datanode {

namespace hh = hadoop::hdfs;

Result<std::unique_ptr<XceiverServer>> XceiverServer::Start(XceiverOptions options, BlockStore* store,
                                                           std::function<void(uint64_t)> suspect,
                                                           const BlockKeyRing* block_keys) {
  std::unique_ptr<XceiverServer> server(new XceiverServer());
  server->ctx_.options = std::move(options);
  server->ctx_.store = store;
  server->ctx_.block_keys = block_keys;
  server->ctx_.suspect = std::move(suspect);
  server->limits_.emplace(server->ctx_.options.max_xceivers, server->ctx_.options.max_xceivers_per_address);
  ASSIGN_OR_RETURN(server->listener_, Listener::Listen(server->ctx_.options.bind_host, server->ctx_.options.port));
  server->accept_thread_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  spdlog::info("data transfer server listening on {}:{}", server->ctx_.options.bind_host, server->port());
  return server;
}

XceiverServer::~XceiverServer() { Stop(); }

int XceiverServer::active() const {
  std::lock_guard lock(mu_);
  return limits_->total();
}

void XceiverServer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !accept_thread_.joinable()) return;
    stopping_ = true;
  }
  listener_.Shutdown();
  if (accept_thread_.joinable()) accept_thread_.join();
  std::unique_lock lock(mu_);
  for (Socket* s : connections_) s->ShutdownBoth();
  idle_.wait(lock, [&] { return limits_->total() == 0; });
}

void XceiverServer::AcceptLoop() {
  pthread_setname_np(pthread_self(), "dn-accept");
  for (;;) {
    auto accepted = listener_.Accept();
    if (!accepted.ok()) {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      spdlog::warn("accept failed: {}", accepted.status().ToString());
      continue;
    }
    Socket socket = std::move(accepted).value();
    std::string host = socket.PeerHost();
    std::string refusal;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      switch (limits_->Admit(host)) {
        case ConnectionLimiter::Admission::kAdmitted:
          break;
        case ConnectionLimiter::Admission::kTooMany:
          refusal = fmt::format("datanode busy: {} transfer connections are open", ctx_.options.max_xceivers);
          break;
        case ConnectionLimiter::Admission::kTooManyFromAddress:
          refusal = fmt::format("datanode busy: {} transfer connections are open from {} (--datanode_max_xceivers_per_address)",
                                ctx_.options.max_xceivers_per_address, host);
          break;
      }
    }
    if (!refusal.empty()) {
      static std::atomic<int64_t> refused{0};
      if (refused.fetch_add(1) % 1000 == 0) spdlog::warn("refusing connection from {}: {}", socket.PeerAddress(), refusal);
      (void)socket.SetTimeouts(1000, 1000);
      (void)SendError(socket, hh::ERROR, refusal);
      continue;
    }
    std::thread([this, s = std::move(socket), h = std::move(host)]() mutable { Serve(std::move(s), h); }).detach();
  }
}

void XceiverServer::Serve(Socket socket, const std::string& host) {
  pthread_setname_np(pthread_self(), "dn-xceiver");
  bool run;
  {
    std::lock_guard lock(mu_);
    run = !stopping_;
    if (run) connections_.insert(&socket);
  }
  if (run) RunConnection(socket);
  std::lock_guard lock(mu_);
  connections_.erase(&socket);
  socket.Close();
  limits_->Release(host);
  idle_.notify_all();
}

void XceiverServer::RunConnection(Socket& socket) {
  const XceiverOptions& o = ctx_.options;
  // Small: packets bigger than half of it bypass the buffer, so at most this much of
  // each packet is copied twice.
  BufferedReader in(&socket, 8 * 1024);
  for (int ops = 0;; ++ops) {
    // Wait for the next op: the socket timeout for the first, the keepalive after.
    if (!socket.SetTimeouts(ops == 0 ? o.socket_timeout_ms : o.keepalive_ms, o.socket_timeout_ms).ok()) return;
    if (!in.WaitReadable().ok()) return;
    if (!socket.SetTimeouts(o.socket_timeout_ms, o.socket_timeout_ms).ok()) return;
    // The op's header and message must arrive whole within the socket timeout of its first
    // byte: a client trickling bytes cannot hold the connection by keeping each recv short.
    if (o.socket_timeout_ms > 0) socket.SetReadDeadline(MonotonicMillis() + o.socket_timeout_ms);
    auto read_message = [&](google::protobuf::MessageLite* msg) {
      Status read = ReadDelimited(in, msg, kMaxOpMessageBytes);
      socket.SetReadDeadline(0);  // the op itself streams under the per-recv timeout
      if (read.ok()) read = socket.SetTimeouts(o.socket_timeout_ms, o.socket_timeout_ms);
      return read;
    };
    DataTransferOp op;
    Status st = ReadOpHeader(in, &op);
    if (!st.ok()) {
      spdlog::info("dropping connection from {}: {}", socket.PeerAddress(), st.ToString());
      if (st.code() == ErrorCode::kProtocolError) (void)SendError(socket, hh::ERROR, st.message());
      return;
    }
    switch (op) {
      case DataTransferOp::kWriteBlock: {
        hh::OpWriteBlockProto msg;
        st = read_message(&msg);
        if (st.ok()) st = WriteBlockOp(ctx_, socket, in, std::move(msg)).Run();
        break;
      }
      case DataTransferOp::kReadBlock: {
        hh::OpReadBlockProto msg;
        st = read_message(&msg);
        if (st.ok()) st = ServeReadBlock(ctx_, socket, in, msg);
        break;
      }
      case DataTransferOp::kBlockChecksum: {
        hh::OpBlockChecksumProto msg;
        st = read_message(&msg);
        if (st.ok()) st = ServeBlockChecksum(ctx_, socket, msg);
        break;
      }
      case DataTransferOp::kTransferBlock: {
        hh::OpTransferBlockProto msg;
        st = read_message(&msg);
        if (st.ok()) st = ServeTransferBlock(ctx_, socket, msg);
        break;
      }
      default:
        spdlog::info("unsupported op {} from {}; closing the connection", static_cast<int>(op), socket.PeerAddress());
        (void)SendError(socket, hh::ERROR_UNSUPPORTED,
                        fmt::format("data transfer op {} is not supported", static_cast<int>(op)));
        return;
    }
    if (!st.ok()) {
      spdlog::debug("closing connection from {} after op {}: {}", socket.PeerAddress(), static_cast<int>(op),
                    st.ToString());
      return;
    }
  }
}

}  // namespace cairn::datanode
