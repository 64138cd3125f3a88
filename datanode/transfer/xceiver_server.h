// XceiverServer: the DataTransferProtocol server on the transfer port. One accept thread
// and one thread per connection (at most max_xceivers; beyond that a connection gets an
// ERROR reply and is closed). Besides HDFS's ops it answers Cairn's inter-datanode recovery
// calls (CUSTOM op, inter_datanode.h). A connection carries ops until the peer closes it or stays
// idle for keepalive_ms; an unknown op or version gets an error reply and closes that
// connection only.
//
// Thread-safety: Start and Stop from one owner thread; active() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "common/connection_limiter.h"
#include "common/socket.h"
#include "datanode/transfer/xceiver_context.h"

namespace cairn::datanode {

class XceiverServer {
 public:
  // `suspect` (may be empty) hears of replicas a reader found a checksum error in.
  // `block_keys` (may be null: no token checks) verifies block access tokens.
  static Result<std::unique_ptr<XceiverServer>> Start(XceiverOptions options, BlockStore* store,
                                                      std::function<void(uint64_t block_id)> suspect = {},
                                                      const BlockKeyRing* block_keys = nullptr);
  ~XceiverServer();

  int port() const { return listener_.port(); }
  // Connections being served now (the xceiver count of heartbeats).
  int active() const;
  // Stops accepting, aborts every connection (in-flight writes stay RBW) and waits for
  // their threads.
  void Stop();

 private:
  XceiverServer() = default;
  void AcceptLoop();
  void Serve(Socket socket, const std::string& host);
  // Reads and runs ops until the connection ends.
  void RunConnection(Socket& socket);

  XceiverContext ctx_;
  Listener listener_;
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::condition_variable idle_;              // signalled when a connection ends
  std::unordered_set<Socket*> connections_;   // guarded by mu_: sockets to shut down on Stop
  std::optional<ConnectionLimiter> limits_;   // guarded by mu_: connection threads alive, by client IP
  bool stopping_ = false;                     // guarded by mu_
};

}  // namespace cairn::datanode
