// GrpcClientService: the gRPC front door for clients (service cairn.ClientNamenode),
// written once for every method. It is a callback generic service: each call's method name
// comes from its path ("/cairn.ClientNamenode/GetFileInfo" -> "getFileInfo") and is looked
// up in the MethodTable; the request is parsed with the method's prototype, the handler runs
// on the bounded handler pool (handlers may block briefly: the WAL sync, complete's wait)
// or, for nonblocking reads, right on gRPC's thread, and the reply is serialised back.
//
// Who calls: in simple mode the x-cairn-user metadata ("nobody" when missing); in
// kerberos mode (a GrpcLogin is given) only what the call's authentication or delegation
// token proves, and the one method callable without either is Authenticate, the login.
// The caller's address comes from the peer string.
//
// Errors: unknown method -> UNIMPLEMENTED; a request that does not parse (including a
// missing proto2 required field) -> INVALID_ARGUMENT; handler errors via ToGrpcStatus.
//
// Thread-safety: gRPC calls CreateReactor from its own threads; handlers run on `pool`.
// The pool must outlive the server's shutdown.
#pragma once

#include <grpcpp/generic/async_generic_service.h>

#include "common/grpc_login.h"
#include "common/thread_pool.h"
#include "namenode/rpc/drain_gate.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/proxy_users.h"
#include "namenode/rpc/user_group_resolver.h"

namespace cairn::namenode {

inline constexpr std::string_view kClientServicePrefix = "/cairn.ClientNamenode/";

class GrpcClientService : public grpc::CallbackGenericService {
 public:
  // `login` null: simple mode, callers name themselves.
  GrpcClientService(const MethodTable& methods, UserGroupResolver& groups, ThreadPool& pool, DrainGate& gate,
                    GrpcLogin* login = nullptr, const ProxyUsers* proxy_users = nullptr);

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  const MethodTable& methods() const { return methods_; }
  UserGroupResolver& groups() { return groups_; }
  ThreadPool& pool() { return pool_; }
  DrainGate& gate() { return gate_; }
  GrpcLogin* login() const { return login_; }
  const ProxyUsers* proxy_users() const { return proxy_users_; }
  const MethodTable::Method& login_method() const { return login_method_; }

 private:
  const MethodTable& methods_;
  UserGroupResolver& groups_;
  ThreadPool& pool_;
  DrainGate& gate_;
  GrpcLogin* const login_;
  const ProxyUsers* const proxy_users_;
  MethodTable::Method login_method_;  // "authenticate"
};

}  // namespace cairn::namenode
