// IpcConnection: one client connection to the Hadoop IPC front door, driven by the event
// loop it was given (no thread of its own). Bytes are read as they arrive into a buffer
// that grows with what really came, never with a length the client announced, and are
// cut into frames: the preamble, then the SASL negotiation and connection context (each
// handshake frame runs on the handler pool, one at a time, because GSSAPI and the group
// mapping may block), then calls.
//
// In SIMPLE mode a NEGOTIATE is answered with SUCCESS (as Hadoop's SIMPLE-only servers
// do) and the context's effective user becomes the caller; in Kerberos mode the client
// must authenticate first (SaslNegotiation: TOKEN or KERBEROS), the caller is its
// principal's auth_to_local name or its token's owner, and a context naming anyone else
// counts only as a proxy-user request.
//
// Calls: nonblocking reads are answered on the loop thread, changes that can be applied
// at once are applied there and answered by whichever thread completes their WAL sync,
// and the rest go to the handler pool without ever blocking the loop. Replies are sent
// without blocking from whichever thread finishes the call; what the socket does not
// take is queued and written when it drains.
//
// Bounds (IpcSettings): a frame, and the handshake, must arrive whole within
// request_timeout_ms; a connection stops being read while it has max_calls_per_connection
// calls running, a full handler queue in front of it, or max_reply_bytes_buffered of
// replies its client has not taken; replies not taken within request_timeout_ms close
// it; so does idleness. A malformed frame closes only that connection.
//
// Thread-safety: OnEvents, CheckDeadlines, Start and Close on the loop thread; the reply
// path (Send, CallEnded) from any thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <google/protobuf/message.h>

#include "common/event_loop.h"
#include "common/ipc_framing.h"
#include "common/socket.h"
#include "common/status.h"
#include "namenode/ipc/ipc_server.h"
#include "namenode/rpc/call_context.h"
#include "namenode/rpc/method_table.h"

namespace cairn::namenode::ipc {

using namespace ::cairn::ipc;  // the framing both sides share

class SaslNegotiation;

class IpcConnection : public EventLoop::Watcher, public std::enable_shared_from_this<IpcConnection> {
 public:
  // `reader` is the server's event loop (and connection set) that serves it.
  IpcConnection(HadoopIpcServer& server, HadoopIpcServer::Reader& reader, Socket socket);
  ~IpcConnection() override;

  // Makes the socket nonblocking and starts watching it (loop thread).
  Status Start();
  void OnEvents(uint32_t events) override;
  // Closes the connection when one of its deadlines passed (loop thread).
  void CheckDeadlines(int64_t now_ms);
  // Stops watching and shuts the socket down; replies still to come are dropped.
  void Close(const Status& why);
  const std::string& peer_host() const { return caller_.client_address; }

 private:
  enum class Phase { kPreamble, kHandshake, kCalls };

  void ReadAvailable();
  // Cuts and handles the frames buffered so far, as far as the bounds allow.
  void ProcessInput();
  Status ProcessPreamble();
  // Bytes the frame at the front of the buffer needs in all (0: not known yet), or an error.
  Result<size_t> FrontFrameBytes() const;
  Status ProcessCall(std::string_view frame);
  Status Dispatch(const IpcCall& call);
  // Runs one handshake frame (pool thread); true once the connection context was accepted.
  Result<bool> HandshakeStep(const std::string& frame);
  void HandshakeStepDone(const Result<bool>& done);
  // Hands task to the handler pool, or parks it (and stops reading) while the pool is full.
  void SubmitOrPark(std::function<void()> task);
  bool ReadingPaused() const;
  void UpdateInterest();
  // From any thread: Resume on the loop thread soon.
  void Wake();
  // Loop thread: hands a parked task to the pool if it has room now, then reads on as far
  // as the bounds allow.
  void Resume();

  void RunCall(const hadoop::common::RpcRequestHeaderProto& header, const MethodTable::Method& method,
               const google::protobuf::Message& request);
  void CallEnded();
  // The reply frame for a call that ended with `st` and *response.
  std::string ReplyFrame(const hadoop::common::RpcRequestHeaderProto& header, const MethodTable::Method& method,
                         const Status& st, const google::protobuf::Message& response);
  // Sends or queues a frame without blocking (any thread).
  void Send(std::string frame);
  void FlushOutput();
  // Sends a FATAL reply and returns the status that ends the connection.
  Status Fatal(int32_t call_id, hadoop::common::RpcResponseHeaderProto::RpcErrorCodeProto detail,
               std::string_view exception_class, const Status& why);

  HadoopIpcServer& server_;
  HadoopIpcServer::Reader& reader_;          // used on the loop thread, while the server runs
  const std::shared_ptr<EventLoop> loop_;    // the reader's loop, kept for replies after Stop
  Socket socket_;
  const std::string peer_;
  const int64_t connected_ms_;
  const int max_calls_;  // copied: replies may end calls after the server is gone

  // Loop thread (and the one pool thread running a handshake step while handshake_busy_).
  Phase phase_ = Phase::kPreamble;
  std::string in_;              // bytes received; in_[in_pos_..] not yet handled
  size_t in_pos_ = 0;
  int64_t partial_since_ms_ = -1;  // an incomplete frame has been arriving since then
  bool handshake_busy_ = false;
  std::function<void()> parked_;   // a task the full handler pool could not take yet
  uint32_t interest_ = 0;
  bool closed_ = false;
  std::unique_ptr<SaslNegotiation> sasl_;
  CallContext caller_;          // set by the handshake, read-only afterwards
  uint8_t auth_protocol_ = 0;   // from the preamble: kAuthNone or kAuthSasl

  // Any thread.
  std::atomic<int> calls_running_{0};
  std::atomic<int64_t> last_activity_ms_;
  std::atomic<size_t> out_bytes_{0};
  std::mutex out_mu_;
  std::deque<std::string> out_;   // guarded by out_mu_: frames (the first partly sent)
  size_t out_offset_ = 0;         // guarded by out_mu_: bytes of out_.front() already sent
  int64_t out_progress_ms_ = 0;   // guarded by out_mu_: when the queue last moved
  bool out_closed_ = false;       // guarded by out_mu_
};

}  // namespace cairn::namenode::ipc
