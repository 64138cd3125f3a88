#include "namenode/ipc/ipc_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.h"
#include "namenode/ipc/ipc_connection.h"

namespace cairn::namenode::ipc {

HadoopIpcServer::HadoopIpcServer(IpcSettings settings, const MethodTable& methods, UserGroupResolver& groups)
    : settings_(settings),
      methods_(methods),
      groups_(groups),
      limits_(settings.max_connections, settings.max_connections_per_address) {}

HadoopIpcServer::~HadoopIpcServer() { Stop(); }

Status HadoopIpcServer::Start(const std::string& host, int port) {
  ASSIGN_OR_RETURN(listener_, Listener::Listen(host, port));
  handlers_ = std::make_unique<ThreadPool>("ipc-handler", settings_.handler_threads, settings_.call_queue_size);
  // Deadlines are checked a few times per shortest deadline, at most every second.
  int shortest = settings_.request_timeout_ms;
  if (settings_.idle_timeout_ms > 0) shortest = std::min(shortest, settings_.idle_timeout_ms);
  const int tick_ms = std::clamp(shortest / 8, 10, 1000);
  for (int i = 0; i < std::max(1, settings_.reader_threads); ++i) {
    auto reader = std::make_unique<Reader>();
    Reader* r = reader.get();
    ASSIGN_OR_RETURN(reader->loop, EventLoop::Create("ipc-reader-" + std::to_string(i), tick_ms,
                                                     [this, r] { CheckDeadlines(*r); }));
    reader->loop->Start();
    readers_.push_back(std::move(reader));
  }
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  spdlog::info("Hadoop IPC server listening on {}:{} ({} readers, {} handlers)", host, listener_.port(),
               readers_.size(), settings_.handler_threads);
  return Status::OK();
}

void HadoopIpcServer::AcceptLoop() {
  while (!stopping_.load()) {
    auto accepted = listener_.Accept();
    if (!accepted.ok()) {
      if (stopping_.load()) break;
      spdlog::warn("IPC accept failed: {}", accepted.status().ToString());
      continue;
    }
    Admit(std::move(accepted).value());
  }
}

void HadoopIpcServer::Admit(Socket socket) {
  const std::string host = socket.PeerHost();
  {
    std::lock_guard lock(mu_);
    switch (limits_.Admit(host)) {
      case ConnectionLimiter::Admission::kAdmitted:
        break;
      case ConnectionLimiter::Admission::kTooMany:
        spdlog::warn("IPC connection from {} refused: {} connections open (--namenode_ipc_max_connections)",
                     socket.PeerAddress(), limits_.total());
        return;  // the socket closes here
      case ConnectionLimiter::Admission::kTooManyFromAddress:
        spdlog::warn("IPC connection from {} refused: {} connections open from {} "
                     "(--namenode_ipc_max_connections_per_address)",
                     socket.PeerAddress(), limits_.from(host), host);
        return;
    }
  }
  Reader& reader = *readers_[next_reader_++ % readers_.size()];
  auto conn = std::make_shared<IpcConnection>(*this, reader, std::move(socket));
  reader.loop->Post([this, &reader, conn] {
    Status st = conn->Start();
    if (!st.ok()) {
      conn->Close(st);
      return;
    }
    reader.connections.emplace(conn.get(), conn);
  });
}

void HadoopIpcServer::Forget(Reader& reader, IpcConnection* conn) {
  {
    std::lock_guard lock(mu_);
    limits_.Release(conn->peer_host());
  }
  // Dropped after the current batch of events, which may still name the connection.
  reader.loop->Post([&reader, conn] { reader.connections.erase(conn); });
}

size_t HadoopIpcServer::connection_count() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(limits_.total());
}

void HadoopIpcServer::CheckDeadlines(Reader& reader) {
  const int64_t now = MonotonicMillis();
  std::vector<IpcConnection*> conns;
  conns.reserve(reader.connections.size());
  for (auto& [raw, conn] : reader.connections) conns.push_back(raw);
  for (IpcConnection* conn : conns) conn->CheckDeadlines(now);
}

void HadoopIpcServer::Stop() {
  if (stopping_.exchange(true)) return;
  listener_.Shutdown();
  if (accept_thread_.joinable()) accept_thread_.join();
  for (auto& reader : readers_) {
    Reader* r = reader.get();
    r->loop->Post([r] {
      for (auto& [raw, conn] : r->connections) conn->Close(Unavailable("the namenode is stopping"));
    });
    r->loop->Stop();
  }
  // Calls still queued finish (their replies are dropped) before the pool joins.
  if (handlers_) handlers_->Shutdown();
  for (auto& reader : readers_) reader->connections.clear();
}

}  // namespace cairn::namenode::ipc
