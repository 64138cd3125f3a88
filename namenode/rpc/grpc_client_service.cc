#include "namenode/rpc/grpc_client_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <memory>

#include "common/grpc_status.h"

namespace cairn::namenode {

std::string PeerHost(std::string_view peer) {
  for (std::string_view scheme : {"ipv4:", "ipv6:"}) {
    if (peer.substr(0, scheme.size()) == scheme) {
      peer.remove_prefix(scheme.size());
      break;
    }
  }
  // "%5B::1%5D:port" is how some gRPC versions escape the brackets.
  std::string text(peer);
  for (auto [from, to] : {std::pair{"%5B", "["}, std::pair{"%5D", "]"}}) {
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, 3, to);
  }
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    return close == std::string::npos ? "" : text.substr(1, close - 1);
  }
  size_t colon = text.rfind(':');
  return colon == std::string::npos ? text : text.substr(0, colon);
}

namespace {
// One call: read the single request message, run the handler on the pool, write the reply.
class UnaryCall : public grpc::ServerGenericBidiReactor {
 public:
  UnaryCall(GrpcClientService& service, grpc::GenericCallbackServerContext* ctx) : service_(service) {
    admitted_ = service_.gate().Enter();
    if (!admitted_) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "namenode is shutting down"));
      return;
    }
    const std::string& path = ctx->method();
    if (path.rfind(kClientServicePrefix, 0) == 0) method_ = service_.methods().Find(MethodNameFromGrpcPath(path));
    if (method_ == nullptr) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + path));
      return;
    }
    if (service_.refuse_callers()) {
      // The x-cairn-user header is a claim, not a proof: in kerberos mode it counts for nothing.
      Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the namenode runs with --security=kerberos and its gRPC door does not authenticate "
                          "callers; use the Hadoop IPC door (hdfs://host:port) with a Kerberos ticket"));
      return;
    }
    const auto& md = ctx->client_metadata();
    auto it = md.find(kUserMetadataKey);
    caller_.user = it == md.end() ? "nobody" : std::string(it->second.data(), it->second.size());
    if (caller_.user.empty()) caller_.user = "nobody";
    caller_.client_address = PeerHost(ctx->peer());
    StartRead(&request_buf_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
      return;
    }
    request_.reset(method_->request_prototype->New());
    grpc::Status parsed =
        grpc::SerializationTraits<google::protobuf::Message>::Deserialize(&request_buf_, request_.get());
    if (!parsed.ok()) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "cannot parse " + method_->name + " request: " + parsed.error_message()));
      return;
    }
    if (method_->nonblocking) {
      // A read from memory: answering here costs less than two thread switches to the pool.
      Run();
      return;
    }
    bool queued = service_.pool().Submit([this] { Run(); });
    if (!queued) Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "namenode is shutting down"));
  }

  void OnDone() override {
    if (admitted_) service_.gate().Leave();
    delete this;
  }

 private:
  void Run() {
    caller_.groups = service_.groups().GroupsFor(caller_.user);
    std::unique_ptr<google::protobuf::Message> response(method_->response_prototype->New());
    Status st = method_->handler(caller_, *request_, response.get());
    if (!st.ok()) {
      Finish(ToGrpcStatus(st));
      return;
    }
    bool own = false;
    grpc::Status ser =
        grpc::SerializationTraits<google::protobuf::Message>::Serialize(*response, &response_buf_, &own);
    if (!ser.ok()) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialise the reply: " + ser.error_message()));
      return;
    }
    StartWriteAndFinish(&response_buf_, grpc::WriteOptions(), grpc::Status::OK);
  }

  GrpcClientService& service_;
  bool admitted_ = false;
  const MethodTable::Method* method_ = nullptr;
  CallContext caller_;
  grpc::ByteBuffer request_buf_;
  grpc::ByteBuffer response_buf_;
  std::unique_ptr<google::protobuf::Message> request_;
};
}  // namespace

grpc::ServerGenericBidiReactor* GrpcClientService::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  return new UnaryCall(*this, ctx);
}

}  // namespace cairn::namenode
