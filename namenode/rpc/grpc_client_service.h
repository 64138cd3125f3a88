// GrpcClientService: the gRPC front door for clients (service cairn.ClientNamenode),
// written once for every method. It is a callback generic service: each call's method name
// comes from its path ("/cairn.ClientNamenode/GetFileInfo" -> "getFileInfo") and is looked
// up in the MethodTable; the request is parsed with the method's prototype, the handler runs
// on the bounded handler pool (handlers may block briefly: the WAL sync, complete's wait)
// or, for nonblocking reads, right on gRPC's thread, and the reply is serialised back. The caller's user comes from the x-cairn-user metadata
// ("nobody" when missing), their address from the peer string.
//
// Errors: unknown method -> UNIMPLEMENTED; a request that does not parse (including a
// missing proto2 required field) -> INVALID_ARGUMENT; handler errors via ToGrpcStatus.
//
// Thread-safety: gRPC calls CreateReactor from its own threads; handlers run on `pool`.
// The pool must outlive the server's shutdown.
#pragma once

#include <grpcpp/generic/async_generic_service.h>

#include "common/thread_pool.h"
#include "namenode/rpc/drain_gate.h"
#include "namenode/rpc/method_table.h"
#include "namenode/rpc/user_group_resolver.h"

namespace cairn::namenode {

inline constexpr std::string_view kClientServicePrefix = "/cairn.ClientNamenode/";

class GrpcClientService : public grpc::CallbackGenericService {
 public:
  // `refuse_callers`: answer every call UNAUTHENTICATED (kerberos mode, where a user name
  // in the metadata proves nothing).
  GrpcClientService(const MethodTable& methods, UserGroupResolver& groups, ThreadPool& pool, DrainGate& gate,
                    bool refuse_callers = false)
      : methods_(methods), groups_(groups), pool_(pool), gate_(gate), refuse_callers_(refuse_callers) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  const MethodTable& methods() const { return methods_; }
  UserGroupResolver& groups() { return groups_; }
  ThreadPool& pool() { return pool_; }
  DrainGate& gate() { return gate_; }
  bool refuse_callers() const { return refuse_callers_; }

 private:
  const MethodTable& methods_;
  UserGroupResolver& groups_;
  ThreadPool& pool_;
  DrainGate& gate_;
  const bool refuse_callers_;
};

// "ipv4:10.0.0.1:5000" -> "10.0.0.1"; "ipv6:[::1]:5000" -> "::1"; "" when unparseable.
std::string PeerHost(std::string_view peer);

}  // namespace cairn::namenode
