// HadoopIpcServer: the namenode's second front door, speaking Hadoop RPC version 9 so
// stock HDFS clients (Hadoop's Java client, Spark, the Go and Rust clients) work unchanged.
//
// It owns a listening socket, an accept thread, a few event-loop threads that serve every
// connection (epoll; no thread per connection) and a bounded pool of handler threads
// shared by all connections. Each call is looked up by method name in the very same
// MethodTable the gRPC front door uses, so every operation has one implementation. Calls
// on one connection run concurrently and are answered as they finish (out of order).
// Every resource a client can make the server hold has a bound (IpcSettings): connections
// in all and per client address, bytes buffered per connection (a frame's buffer grows
// with the bytes received, not the length announced), calls in flight per connection,
// reply bytes a client has not taken, and whole-request and idle deadlines. A connection
// at a bound is no longer read, which pushes back on its client through TCP; a malformed
// frame or a missed deadline closes only that connection.
//
// Thread-safety: Start and Stop from one owner thread; everything else is internal.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/auth_to_local.h"
#include "common/connection_limiter.h"
#include "common/event_loop.h"
#include "common/socket.h"
#include "common/status.h"
#include "common/thread_pool.h"

namespace cairn::namenode {
class DelegationTokenManager;
class MethodTable;
class ProxyUsers;
class UserGroupResolver;
}  // namespace cairn::namenode

namespace cairn::namenode::ipc {

struct IpcSettings {
  int reader_threads = 2;              // event loops serving the connections
  int handler_threads = 16;            // threads running calls, shared by all connections
  size_t call_queue_size = 1024;       // calls waiting for a handler; beyond it reading pauses
  int max_connections = 4096;          // further connections are closed at once
  int max_connections_per_address = 1024;  // the same, per client IP address
  int max_calls_per_connection = 256;  // calls running; beyond it the connection is not read
  size_t max_reply_bytes_buffered = 8 << 20;  // replies not taken; beyond it the connection is not read
  int request_timeout_ms = 30000;      // a frame (and the handshake) must arrive whole within this,
                                       // and a queued reply be taken within it
  int idle_timeout_ms = 60000;         // close connections silent this long with no call running
  uint32_t max_frame_bytes = 64 << 20; // larger frames are a protocol error
  // --security=kerberos: every connection authenticates with SASL GSSAPI as a client of
  // `kerberos_principal` (keys in `keytab`), and auth_to_local names the caller. Empty
  // principal: SIMPLE, callers name themselves in the connection context.
  std::string kerberos_principal;
  std::string keytab;
  std::shared_ptr<const AuthToLocal> auth_to_local;
  // Kerberos mode: clients holding a delegation token may authenticate with it instead
  // (SASL DIGEST-MD5, method TOKEN); null: they may not.
  const DelegationTokenManager* delegation_tokens = nullptr;
  const ProxyUsers* proxy_users = nullptr;  // kerberos mode: who may act for whom
};

class IpcConnection;

class HadoopIpcServer {
 public:
  HadoopIpcServer(IpcSettings settings, const MethodTable& methods, UserGroupResolver& groups);
  ~HadoopIpcServer();
  HadoopIpcServer(const HadoopIpcServer&) = delete;
  HadoopIpcServer& operator=(const HadoopIpcServer&) = delete;

  // Listens on host:port (0 picks a free port) and starts accepting.
  Status Start(const std::string& host, int port);
  int port() const { return listener_.port(); }
  // Closes the listener and every connection; calls already with a handler finish.
  void Stop();

  size_t connection_count() const;

 private:
  friend class IpcConnection;
  // One event loop and the connections it serves (touched only on its thread).
  struct Reader {
    std::shared_ptr<EventLoop> loop;
    std::unordered_map<IpcConnection*, std::shared_ptr<IpcConnection>> connections;
  };
  void AcceptLoop();
  // Takes an accepted socket, or refuses it at a connection bound.
  void Admit(Socket socket);
  // The connection closed (on its loop thread); drops the server's reference soon.
  void Forget(Reader& reader, IpcConnection* conn);
  void CheckDeadlines(Reader& reader);

  const IpcSettings settings_;
  const MethodTable& methods_;
  UserGroupResolver& groups_;
  Listener listener_;
  std::thread accept_thread_;
  std::vector<std::unique_ptr<Reader>> readers_;
  size_t next_reader_ = 0;  // accept thread only
  std::unique_ptr<ThreadPool> handlers_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  ConnectionLimiter limits_;  // guarded by mu_
};

}  // namespace cairn::namenode::ipc
