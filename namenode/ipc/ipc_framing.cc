#include "namenode/ipc/ipc_framing.h"

#include "common/endian.h"
#include "common/proto_io.h"

namespace cairn::namenode::ipc {

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

}  // namespace cairn::namenode::ipc
