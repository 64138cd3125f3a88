#include "common/ipc_framing.h"

#include "common/endian.h"
#include "common/proto_io.h"
#include "hadoop/IpcConnectionContext.pb.h"

namespace cairn::ipc {

using hadoop::common::RpcResponseHeaderProto;

Status ParseCallFrame(std::string_view frame, IpcCall* call) {
  RETURN_IF_ERROR_CTX(ConsumeDelimited(&frame, &call->rpc_header), "RPC request header");
  if (call->rpc_header.has_rpckind() && call->rpc_header.rpckind() != hadoop::common::RPC_PROTOCOL_BUFFER)
    return ProtocolError("RPC kind {} is not supported (only protocol buffers)",
                         static_cast<int>(call->rpc_header.rpckind()));
  if (call->rpc_header.callid() >= 0) {
    RETURN_IF_ERROR_CTX(ConsumeDelimited(&frame, &call->request_header), "request header");
  }
  call->body = frame;
  return Status::OK();
}

namespace {
// Hadoop sends retry count -1 with the connection context and 0 with a first attempt.
hadoop::common::RpcRequestHeaderProto CallHeader(int32_t call_id, std::string_view client_id) {
  hadoop::common::RpcRequestHeaderProto h;
  h.set_rpckind(hadoop::common::RPC_PROTOCOL_BUFFER);
  h.set_rpcop(hadoop::common::RpcRequestHeaderProto::RPC_FINAL_PACKET);
  h.set_callid(call_id);
  h.set_clientid(std::string(client_id));
  h.set_retrycount(call_id < 0 ? -1 : 0);
  return h;
}

std::string Framed(std::initializer_list<const google::protobuf::MessageLite*> parts) {
  std::string out(4, '\0');
  for (const auto* p : parts) AppendDelimited(*p, &out);
  StoreBigEndian32(reinterpret_cast<uint8_t*>(out.data()), static_cast<uint32_t>(out.size() - 4));
  return out;
}
}  // namespace

std::string BuildPreamble(uint8_t auth) {
  std::string out(kIpcMagic, sizeof kIpcMagic);
  out.push_back(static_cast<char>(kIpcVersion));
  out.push_back(0);  // service class
  out.push_back(static_cast<char>(auth));
  return out;
}

std::string BuildConnectionContextFrame(std::string_view user, std::string_view client_id) {
  hadoop::common::IpcConnectionContextProto context;
  context.mutable_userinfo()->set_effectiveuser(std::string(user));
  context.set_protocol(kClientProtocol);
  const auto header = CallHeader(kConnectionContextCallId, client_id);
  return Framed({&header, &context});
}

std::string BuildConnectionStart(std::string_view user, std::string_view client_id) {
  return BuildPreamble(kAuthNone) + BuildConnectionContextFrame(user, client_id);
}

std::string BuildSaslFrame(const hadoop::common::RpcSaslProto& message) {
  const auto header = CallHeader(kSaslCallId, "");
  return Framed({&header, &message});
}

Status ReadFrame(BufferedReader& in, uint32_t max_bytes, std::string* frame) {
  uint8_t len_bytes[4];
  RETURN_IF_ERROR(in.ReadFully(len_bytes, 4));
  const uint32_t len = LoadBigEndian32(len_bytes);
  if (len == 0 || len > max_bytes) return ProtocolError("IPC frame of {} bytes (limit {})", len, max_bytes);
  frame->resize(len);
  return in.ReadFully(frame->data(), len);
}

std::string BuildCallFrame(int32_t call_id, std::string_view client_id, std::string_view method,
                           const google::protobuf::MessageLite& request) {
  const auto header = CallHeader(call_id, client_id);
  hadoop::common::RequestHeaderProto request_header;
  request_header.set_methodname(std::string(method));
  request_header.set_declaringclassprotocolname(kClientProtocol);
  request_header.set_clientprotocolversion(1);
  return Framed({&header, &request_header, &request});
}

Status ParseReplyFrame(std::string_view frame, RpcResponseHeaderProto* header, std::string_view* body) {
  RETURN_IF_ERROR_CTX(ConsumeDelimited(&frame, header), "RPC response header");
  *body = frame;
  return Status::OK();
}

std::string BuildReplyFrame(const RpcResponseHeaderProto& header, const google::protobuf::MessageLite* response) {
  std::string out(4, '\0');
  AppendDelimited(header, &out);
  if (response) AppendDelimited(*response, &out);
  StoreBigEndian32(reinterpret_cast<uint8_t*>(out.data()), static_cast<uint32_t>(out.size() - 4));
  return out;
}

RpcResponseHeaderProto SuccessHeader(const hadoop::common::RpcRequestHeaderProto& call) {
  RpcResponseHeaderProto h;
  h.set_callid(static_cast<uint32_t>(call.callid()));
  h.set_status(RpcResponseHeaderProto::SUCCESS);
  h.set_serveripcversionnum(kIpcVersion);
  h.set_clientid(call.clientid());
  h.set_retrycount(call.retrycount());
  return h;
}

RpcResponseHeaderProto ErrorHeader(int32_t call_id, std::string_view client_id, bool fatal,
                                   RpcResponseHeaderProto::RpcErrorCodeProto detail, std::string_view exception_class,
                                   std::string_view message) {
  RpcResponseHeaderProto h;
  h.set_callid(static_cast<uint32_t>(call_id));
  h.set_status(fatal ? RpcResponseHeaderProto::FATAL : RpcResponseHeaderProto::ERROR);
  h.set_serveripcversionnum(kIpcVersion);
  h.set_clientid(std::string(client_id));
  h.set_exceptionclassname(std::string(exception_class));
  h.set_errormsg(std::string(message));
  h.set_errordetail(detail);
  return h;
}

}  // namespace cairn::ipc
