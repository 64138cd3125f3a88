#include "namenode/rpc/grpc_client_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <memory>

#include "common/clock.h"
#include "common/grpc_status.h"

namespace cairn::namenode {


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
    bool login = false;
    if (path.rfind(kClientServicePrefix, 0) == 0) {
      const std::string name = MethodNameFromGrpcPath(path);
      login = name == service_.login_method().name;
      method_ = login ? &service_.login_method() : service_.methods().Find(name);
    }
    if (method_ == nullptr) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + path));
      return;
    }
    const auto& md = ctx->client_metadata();
    auto header = [&md](const char* key) -> std::string_view {
      auto it = md.find(key);
      return it == md.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
    };
    caller_.client_address = PeerHost(ctx->peer());
    if (service_.login() != nullptr) {
      // Kerberos mode: the x-cairn-user header is a claim, not a proof, and counts for nothing.
      if (!login) {
        auto who = service_.login()->Check(header(kAuthnTokenMetadataKey), header(kDelegationTokenMetadataKey),
                                           WallMillis());
        if (!who.ok()) {
          Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, who.status().message(),
                              ToGrpcStatus(who.status()).error_details()));
          return;
        }
        caller_.user = std::move(who->user);
        caller_.auth = who->by_delegation_token ? AuthMethod::kToken : AuthMethod::kKerberos;
        Status proxied = ApplyImpersonation(header(kUserMetadataKey), who->principal, service_.proxy_users(),
                                            service_.groups(), &caller_);
        if (!proxied.ok()) {
          Finish(ToGrpcStatus(proxied));
          return;
        }
      }
    } else {
      caller_.user = std::string(header(kUserMetadataKey));
      if (caller_.user.empty()) caller_.user = "nobody";
    }
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

GrpcClientService::GrpcClientService(const MethodTable& methods, UserGroupResolver& groups, ThreadPool& pool,
                                     DrainGate& gate, GrpcLogin* login, const ProxyUsers* proxy_users)
    : methods_(methods), groups_(groups), pool_(pool), gate_(gate), login_(login), proxy_users_(proxy_users) {
  login_method_.name = "authenticate";
  login_method_.request_prototype = &AuthenticateRequest::default_instance();
  login_method_.response_prototype = &AuthenticateResponse::default_instance();
  login_method_.handler = [login](const CallContext&, const google::protobuf::Message& req,
                                  google::protobuf::Message* resp) -> Status {
    if (login == nullptr) return InvalidArgument("the namenode runs with --security=simple: there is no login");
    ASSIGN_OR_RETURN(*static_cast<AuthenticateResponse*>(resp),
                     login->Authenticate(static_cast<const AuthenticateRequest&>(req), WallMillis()));
    return Status::OK();
  };
}

grpc::ServerGenericBidiReactor* GrpcClientService::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  return new UnaryCall(*this, ctx);
}

}  // namespace cairn::namenode
