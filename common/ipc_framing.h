// Hadoop IPC (RPC version 9) framing, as stock HDFS clients speak it to port 8020.
//
//   connection preamble:  "hrpc" | version 9 | service class | auth protocol (0 none, 0xDF SASL)
//   every frame:          u32 big-endian length | payload
//   call payload:         varint-delimited RpcRequestHeaderProto
//                         [+ RequestHeaderProto + request message, for ordinary calls]
//   reply payload:        varint-delimited RpcResponseHeaderProto [+ response message]
//
// Special call ids: -3 carries the IpcConnectionContextProto (no reply), -4 is a ping
// (no reply), -33 carries SASL negotiation. This file only parses and builds bytes, for
// both sides: the namenode's server (namenode/ipc/) and libcairn's client
// (client/ipc_channel.h).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/socket.h"
#include "common/status.h"
#include "hadoop/ProtobufRpcEngine.pb.h"
#include "hadoop/RpcHeader.pb.h"

namespace cairn::ipc {

constexpr char kIpcMagic[4] = {'h', 'r', 'p', 'c'};
constexpr uint8_t kIpcVersion = 9;
constexpr uint8_t kAuthNone = 0x00;
constexpr uint8_t kAuthSasl = 0xDF;

constexpr int32_t kConnectionContextCallId = -3;
constexpr int32_t kPingCallId = -4;
constexpr int32_t kSaslCallId = -33;

inline constexpr const char* kClientProtocol = "org.apache.hadoop.hdfs.protocol.ClientProtocol";

struct IpcCall {
  hadoop::common::RpcRequestHeaderProto rpc_header;
  // Set for ordinary calls (callId >= 0).
  hadoop::common::RequestHeaderProto request_header;
  // What follows the headers: the varint-delimited request, the connection context or the
  // SASL message. Points into the parsed frame.
  std::string_view body;
};

// Parses one frame's payload (without its length prefix).
Status ParseCallFrame(std::string_view frame, IpcCall* call);

// --- Client side ---------------------------------------------------------------------
// The 7-byte connection preamble; `auth` is kAuthNone or kAuthSasl.
std::string BuildPreamble(uint8_t auth);
// The connection-context frame that names the user; `client_id` is the 16-byte id every
// call header repeats.
std::string BuildConnectionContextFrame(std::string_view user, std::string_view client_id);
// Preamble (no SASL) and connection context together.
std::string BuildConnectionStart(std::string_view user, std::string_view client_id);
// A SASL negotiation frame (call id -33).
std::string BuildSaslFrame(const hadoop::common::RpcSaslProto& message);
// Reads one length-prefixed frame (the payload, without its length) of at most max_bytes.
Status ReadFrame(BufferedReader& in, uint32_t max_bytes, std::string* frame);
// A whole call frame for an ordinary call of ClientProtocol.
std::string BuildCallFrame(int32_t call_id, std::string_view client_id, std::string_view method,
                           const google::protobuf::MessageLite& request);
// Splits a reply payload (without its length prefix) into its header and what follows it.
Status ParseReplyFrame(std::string_view frame, hadoop::common::RpcResponseHeaderProto* header,
                       std::string_view* body);

// A whole reply frame: length prefix, delimited header, delimited response (if any).
std::string BuildReplyFrame(const hadoop::common::RpcResponseHeaderProto& header,
                            const google::protobuf::MessageLite* response);

// Response header for a call: SUCCESS, or ERROR/FATAL with the Java exception class and
// message clients test for.
hadoop::common::RpcResponseHeaderProto SuccessHeader(const hadoop::common::RpcRequestHeaderProto& call);
hadoop::common::RpcResponseHeaderProto ErrorHeader(int32_t call_id, std::string_view client_id, bool fatal,
                                                   hadoop::common::RpcResponseHeaderProto::RpcErrorCodeProto detail,
                                                   std::string_view exception_class, std::string_view message);

}  // namespace cairn::ipc
