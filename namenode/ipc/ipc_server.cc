#include "namenode/ipc/ipc_server.h"

#include <spdlog/spdlog.h>

#include "namenode/ipc/ipc_connection.h"

namespace cairn::namenode::ipc {

HadoopIpcServer::HadoopIpcServer(IpcSettings settings, const MethodTable& methods, UserGroupResolver& groups)
    : settings_(settings), methods_(methods), groups_(groups) {}

HadoopIpcServer::~HadoopIpcServer() { Stop(); }

Status HadoopIpcServer::Start(const std::string& host, int port) {
  ASSIGN_OR_RETURN(listener_, Listener::Listen(host, port));
  handlers_ = std::make_unique<ThreadPool>("ipc-handler", settings_.handler_threads, settings_.call_queue_size);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  spdlog::info("Hadoop IPC server listening on {}:{}", host, listener_.port());
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
    Socket socket = std::move(accepted).value();
    if (settings_.idle_timeout_ms > 0) (void)socket.SetTimeouts(settings_.idle_timeout_ms, settings_.idle_timeout_ms);
    auto conn = std::make_shared<IpcConnection>(*this, std::move(socket));
    {
      std::lock_guard lock(mu_);
      if (static_cast<int>(connections_.size()) >= settings_.max_connections) {
        spdlog::warn("IPC connection from {} refused: {} connections open", conn->peer(), connections_.size());
        continue;  // conn (and its socket) is dropped here
      }
      connections_.insert(conn);
    }
    std::thread([this, conn] {
      conn->Run();
      Forget(conn.get());
    }).detach();
  }
}

void HadoopIpcServer::Forget(IpcConnection* conn) {
  std::lock_guard lock(mu_);
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == conn) {
      connections_.erase(it);
      break;
    }
  }
  all_closed_.notify_all();
}

size_t HadoopIpcServer::connection_count() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void HadoopIpcServer::Stop() {
  if (stopping_.exchange(true)) return;
  listener_.Shutdown();
  if (accept_thread_.joinable()) accept_thread_.join();
  std::unique_lock lock(mu_);
  for (const auto& conn : connections_) conn->Close();
  all_closed_.wait(lock, [&] { return connections_.empty(); });
  lock.unlock();
  // Calls still queued finish (their replies fail on closed sockets) before the pool joins.
  if (handlers_) handlers_->Shutdown();
}

}  // namespace cairn::namenode::ipc
