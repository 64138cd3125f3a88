// ShuffleServer: the executor's gRPC server of map outputs (service cairn.Shuffle).
// FetchMapOutput streams one partition of one map attempt's output file
// (<work_dir>/jobs/<job>/<attempt>/output/file.out, located through file.out.index) in
// 1 MiB chunks; the first chunk carries the partition's size and record count. Ids are
// checked before they become paths. A bounded number of fetches run at once (gRPC's
// thread quota), more wait.
//
// Thread-safety: Start/Stop from the owner; gRPC runs the handler on its threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "cairn/compute.grpc.pb.h"
#include "common/status.h"

namespace cairn::compute {

// Where an attempt's map output lives under an executor's work dir.
std::string MapOutputDir(const std::string& work_dir, const std::string& job_id, const std::string& attempt_id);

// The shuffle secret of a job that ran tasks here ("" when none did).
using ShuffleSecretLookup = std::function<std::string(const std::string& job_id)>;

class ShuffleServer final : public Shuffle::Service {
 public:
  // Every request must carry the proof of its job's secret (compute/shuffle_proof.h).
  ShuffleServer(std::string work_dir, ShuffleSecretLookup secrets)
      : work_dir_(std::move(work_dir)), secrets_(std::move(secrets)) {}
  ~ShuffleServer() override;

  // Another service on the same port (the ML proxy); call before Start. Not owned.
  void AddService(grpc::Service* service) { extra_services_.push_back(service); }
  // credentials: the server's (common/tls_credentials.h; insecure without TLS).
  Status Start(const std::string& host, int port, int threads, std::shared_ptr<grpc::ServerCredentials> credentials);
  void Stop();
  int port() const { return port_; }

  grpc::Status FetchMapOutput(grpc::ServerContext* ctx, const FetchMapOutputRequest* req,
                              grpc::ServerWriter<MapOutputChunk>* writer) override;

 private:
  const std::string work_dir_;
  const ShuffleSecretLookup secrets_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<grpc::Service*> extra_services_;
  int port_ = 0;
};

}  // namespace cairn::compute
