// IpcChannel: libcairn's client of a namenode's Hadoop IPC door (RPC version 9, what stock
// HDFS clients speak to port 8020), used when the namenode address is given as
// hdfs://host:port. On this kind of machine a gRPC round trip costs several thread
// switches on each side; here the calling thread writes its call and reads its own reply
// on a connection nobody else uses meanwhile, so a read answered from the namenode's
// memory costs one round trip and two wake-ups.
//
// Connections are pooled: a call takes an idle one (or opens one: preamble, a Kerberos
// login when the namenode's principal is set (client/ipc_kerberos.h), then the connection
// context naming the user), and gives it back when the reply was read whole.
// A connection that failed or got a FATAL reply is closed. Replies over
// max_reply_bytes are refused (the connection is dropped).
//
// Errors: a Hadoop exception comes back as the Status its class maps to
// (FromHadoopException); a connection that cannot be opened is kUnavailable, and so is a
// pooled connection the namenode had closed before the call was read (it was idle);
// timeouts are kTimedOut; a connection lost after the call was sent is kIoError, since the
// call may or may not have run.
//
// Thread-safety: Call may be called from any thread at once; mu_ guards the idle pool.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <optional>

#include <google/protobuf/message.h>

#include "common/socket.h"
#include "common/status.h"
#include "hadoop/Security.pb.h"

namespace cairn::client {

struct IpcChannelSettings {
  std::string host;
  int port = 0;
  std::string user;                    // sent in the connection context
  // Set: log in with Kerberos first (the namenode's principal, e.g. "nn/_HOST@REALM"),
  // and `user` is the ticket's principal.
  std::string kerberos_principal;
  // Set: log in with this delegation token instead (SASL TOKEN), as its owner.
  std::optional<hadoop::common::TokenProto> delegation_token;
  int timeout_ms = 60000;              // connect, and each read or write of a call
  size_t max_idle_connections = 64;    // idle connections kept for reuse
  size_t max_reply_bytes = 256 << 20;  // larger replies are a protocol error
};

class IpcChannel {
 public:
  explicit IpcChannel(IpcChannelSettings settings);
  ~IpcChannel();
  IpcChannel(const IpcChannel&) = delete;
  IpcChannel& operator=(const IpcChannel&) = delete;

  // Sends `request` as ClientProtocol method `method` and parses the reply into *response.
  Status Call(std::string_view method, const google::protobuf::Message& request,
              google::protobuf::Message* response);

  const IpcChannelSettings& settings() const { return settings_; }

 private:
  struct Connection;
  Result<std::unique_ptr<Connection>> Open();
  std::unique_ptr<Connection> TakeIdle();
  void GiveBack(std::unique_ptr<Connection> conn);

  const IpcChannelSettings settings_;
  const std::string client_id_;  // 16 bytes, the same in every call header
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

}  // namespace cairn::client
