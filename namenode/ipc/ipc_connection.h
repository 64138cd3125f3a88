// IpcConnection: one client connection to the Hadoop IPC front door. Its reader thread
// walks the connection through preamble, SASL negotiation and the connection context,
// then reads call frames and hands each to the server's handler pool. In SIMPLE mode a
// NEGOTIATE is answered with SUCCESS (as Hadoop's SIMPLE-only servers do) and the
// context's effective user becomes the caller; in Kerberos mode the client must
// authenticate first (SaslGssapiServer), the caller is its principal's auth_to_local name,
// and a context naming anyone else is refused (no proxy users). Then it reads
// call frames and hands each to the server's handler pool. Replies are written by the
// handler threads under write_mu_, in whatever order calls finish.
//
// Thread-safety: Run() on its own thread; Close() and Reply from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "common/socket.h"
#include "common/status.h"
#include "common/ipc_framing.h"
#include <google/protobuf/message.h>

#include "namenode/rpc/call_context.h"
#include "namenode/rpc/method_table.h"

namespace cairn::namenode::ipc {

using namespace ::cairn::ipc;  // the framing both sides share

class HadoopIpcServer;

class IpcConnection : public std::enable_shared_from_this<IpcConnection> {
 public:
  IpcConnection(HadoopIpcServer& server, Socket socket);

  // Serves the connection until it ends; logs why it ended.
  void Run();
  // Shuts the socket down; Run() returns soon after.
  void Close();
  const std::string& peer() const { return peer_; }

 private:
  Status ReadPreamble();
  Status ReadFrame(std::string* frame);
  Status Handshake();
  Status Dispatch(const IpcCall& call);
  void RunCall(const hadoop::common::RpcRequestHeaderProto& header, const MethodTable::Method& method,
               const google::protobuf::Message& request);
  // The reply frame for a call that ended with `st` and *response.
  std::string ReplyFrame(const hadoop::common::RpcRequestHeaderProto& header, const MethodTable::Method& method,
                         const Status& st, const google::protobuf::Message& response);
  Status WriteFrame(const std::string& frame);
  // Same without ever blocking (for replies sent from the group commit's thread): a
  // client that lets its socket buffer fill instead of reading replies is disconnected.
  void WriteFrameWithoutBlocking(const std::string& frame);
  // Sends a FATAL reply (best effort) and returns the status that ends the connection.
  Status Fatal(int32_t call_id, hadoop::common::RpcResponseHeaderProto::RpcErrorCodeProto detail,
               std::string_view exception_class, const Status& why);

  HadoopIpcServer& server_;
  Socket socket_;
  BufferedReader reader_;
  std::string peer_;
  CallContext caller_;            // set by Handshake, read-only afterwards
  uint8_t auth_protocol_ = 0;     // from the preamble: kAuthNone or kAuthSasl
  std::atomic<int> calls_running_{0};
  std::mutex write_mu_;           // serialises reply frames on socket_
};

}  // namespace cairn::namenode::ipc
