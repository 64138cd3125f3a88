// JobMasterServices: the gRPC faces of the job master on one port — cairn.JobMaster for
// clients (the caller's user: in simple mode the x-cairn-user metadata entry, as on the
// namenode; in kerberos mode who its Kerberos login's token proves) and
// cairn.ExecutorProtocol for executors (with TLS: only callers with a datanode
// certificate) — both forwarding to JobMaster and turning Status into gRPC status with
// the error table.
//
// Thread-safety: gRPC calls the methods on its handler threads; JobMaster is thread-safe.
#pragma once

#include <grpcpp/grpcpp.h>

#include "cairn/compute.grpc.pb.h"

namespace cairn::compute {

class JobMaster;

class JobMasterServices {
 public:
  explicit JobMasterServices(JobMaster* master);
  ~JobMasterServices();
  void RegisterWith(grpc::ServerBuilder& builder);

 private:
  class ClientService;
  class ExecutorService;
  std::unique_ptr<ClientService> client_;
  std::unique_ptr<ExecutorService> executor_;
};

}  // namespace cairn::compute
