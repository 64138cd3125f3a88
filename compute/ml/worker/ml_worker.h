// MlWorker: the per-job ML worker an executor runs for each ML job with tasks on it (one
// cairn-ml-worker process per job and executor, see executor/ml_workers.h). The job's
// load tasks on this node hand it their splits (Load: read — short-circuit when the
// replica is local — parse, cache); the job master sends it each step of the driver over
// the partitions it holds (Compute: one partial summed over those partitions, so the
// master only sums one partial per executor). Partitions stay in a bounded LRU cache
// across steps: from the second step on a step reads no disk unless memory ran short.
//
// Local replicas: a load task on this node passes the worker its replica's descriptors over
// <dir>/replicas.sock (DescriptorInbox; the worker's account cannot open the datanode's
// files by path) and names them in MlLoadRequest.local_replica_key. A re-read after the
// cache evicted the partition goes through a datanode.
//
// Threads: gRPC handler threads and the inbox's accept thread. Loads run concurrently (each parses its own split);
// steps run one at a time (compute_mu_), each using every core through the kernels.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cairn/ml_worker.grpc.pb.h"
#include "client/file_system.h"
#include "compute/ml/worker/worker_address.h"
#include "compute/ml/kernels.h"
#include "compute/ml/worker/partition_cache.h"
#include "compute/runtime/descriptor_passing.h"

namespace cairn::ml {

// The socket file, in the worker's directory, that takes local replicas' descriptors.
inline constexpr const char* kMlWorkerReplicaSocket = "replicas.sock";


struct MlWorkerSettings {
  uint64_t cache_bytes = 1ull << 30;  // parsed partitions kept in memory
  std::string backend;                // "", cpu, cuda (kernels.h)
  int threads = 0;                    // CPU kernel threads; 0: every core
  std::string dir;                    // the worker's directory (replicas.sock); empty: no local reads
};

class MlWorker final : public cairn::MlWorker::Service {
 public:
  static Result<std::unique_ptr<MlWorker>> Create(const MlWorkerSettings& settings);

  grpc::Status Load(grpc::ServerContext* ctx, const MlLoadRequest* req, MlLoadResponse* resp) override;
  grpc::Status Compute(grpc::ServerContext* ctx, const MlComputeRequest* req, MlPartial* resp) override;

  const std::string& backend_name() const { return backend_name_; }

 private:
  explicit MlWorker(const MlWorkerSettings& settings);
  Result<std::shared_ptr<const Partition>> ReadSplit(const MlLoadRequest& req);
  // The namenode as the job's user, as the first load's request says (Load keeps it).
  Result<client::FileSystem*> Fs();
  Status WritePredictions(const std::string& dir, int32_t partition, std::string_view text);

  const MlWorkerSettings settings_;
  PartitionCache cache_;
  std::string backend_name_;
  std::unique_ptr<compute::DescriptorInbox> replicas_;  // null: every read goes through a datanode

  std::mutex compute_mu_;
  std::unique_ptr<Kernels> kernels_;  // guarded by compute_mu_

  std::mutex fs_mu_;
  std::unique_ptr<client::FileSystem> fs_;  // guarded by fs_mu_ until set
  std::optional<MlLoadRequest> identity_;  // guarded by fs_mu_: the first load (namenode, user, token)
};

}  // namespace cairn::ml
