// HadoopIpcServer: the namenode's second front door, speaking Hadoop RPC version 9 so
// stock HDFS clients (Hadoop's Java client, Spark, the Go and Rust clients) work unchanged.
//
// It owns a listening socket, an accept thread, one reader thread per connection and a
// bounded pool of handler threads shared by all connections. Each call is looked up by
// method name in the very same MethodTable the gRPC front door uses, so every operation
// has one implementation. Calls on one connection run concurrently and are answered as
// they finish (out of order); a full handler queue stops the reader, which pushes back on
// the client through TCP. Nonblocking reads (MethodTable::Method::nonblocking) are answered
// by the connection's reader itself. A frame's buffer grows with the bytes received, not
// with the length announced. A malformed frame closes only that connection.
//
// Thread-safety: Start and Stop from one owner thread; everything else is internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "common/auth_to_local.h"
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
  int handler_threads = 16;            // threads running calls, shared by all connections
  size_t call_queue_size = 1024;       // calls waiting for a handler before readers block
  int max_connections = 4096;          // further connections are closed at once
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
  // Closes the listener and every connection, waits for their threads.
  void Stop();

  size_t connection_count() const;

 private:
  friend class IpcConnection;
  void AcceptLoop();
  void Forget(IpcConnection* conn);

  const IpcSettings settings_;
  const MethodTable& methods_;
  UserGroupResolver& groups_;
  Listener listener_;
  std::thread accept_thread_;
  std::unique_ptr<ThreadPool> handlers_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  std::condition_variable all_closed_;
  std::unordered_set<std::shared_ptr<IpcConnection>> connections_;  // guarded by mu_
};

}  // namespace cairn::namenode::ipc
