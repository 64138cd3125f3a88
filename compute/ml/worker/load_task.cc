#include "compute/ml/worker/load_task.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "cairn/ml_worker.grpc.pb.h"
#include "common/clock.h"
#include "common/grpc_status.h"
#include "compute/ml/worker/ml_worker.h"
#include "compute/runtime/descriptor_passing.h"
#include "compute/runtime/local_block.h"

namespace cairn::ml {

namespace {
constexpr int kWorkerStartMs = 60000;

Result<std::string> WaitForAddress(const std::string& dir) {
  const int64_t deadline = MonotonicMillis() + kWorkerStartMs;
  while (MonotonicMillis() < deadline) {
    std::ifstream in(dir + "/address");
    std::string address;
    if (in && std::getline(in, address) && !address.empty()) return address;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Unavailable("the job's ML worker on this node did not start within {} ms (no {}/address)", kWorkerStartMs, dir);
}
}  // namespace

compute::TaskOutcome RunLoadTask(compute::TaskRuntime& rt) {
  compute::TaskOutcome outcome;
  const TaskSpec& spec = rt.spec();
  if (spec.ml_worker_dir().empty()) {
    outcome.status = Internal("the executor gave this ML task no worker");
    return outcome;
  }
  rt.set_phase("waiting for the ML worker");
  auto address = WaitForAddress(spec.ml_worker_dir());
  if (!address.ok()) {
    outcome.status = address.status();
    return outcome;
  }
  rt.set_phase("loading");
  auto channel = grpc::CreateChannel(*address, grpc::InsecureChannelCredentials());
  auto stub = cairn::MlWorker::NewStub(channel);
  MlLoadRequest req;
  req.set_partition(spec.index());
  *req.mutable_split() = spec.split();
  // Descriptor numbers mean nothing in the worker's process: the descriptors themselves
  // go to it over its Unix socket, and the request names them by key.
  req.mutable_split()->clear_local_block_fd();
  req.mutable_split()->clear_local_meta_fd();
  if (compute::HasLocalReplica(spec.split())) {
    const std::string key = compute::RandomDescriptorKey();
    Status sent = compute::SendDescriptors(spec.ml_worker_dir() + "/" + kMlWorkerReplicaSocket, key,
                                           {spec.split().local_block_fd(), spec.split().local_meta_fd()});
    if (sent.ok()) req.set_local_replica_key(key);
    else spdlog::warn("cannot hand the local replica to the ML worker, it reads through a datanode: {}", sent.ToString());
  }
  *req.mutable_format() = spec.job().ml().format();
  req.set_namenode(spec.namenode());
  req.set_user(spec.user());
  req.set_delegation_token(spec.delegation_token());
  req.set_tls_ca_file(spec.tls_ca_file());
  MlLoadResponse resp;
  grpc::ClientContext ctx;
  if (spec.timeout_ms() > 0) ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(spec.timeout_ms()));
  grpc::Status gs = stub->Load(&ctx, req, &resp);
  if (!gs.ok()) {
    outcome.status = FromGrpcStatus(gs).WithContext("loading " + spec.split().path() + " into the ML worker");
    return outcome;
  }
  compute::TaskCounters& c = rt.counters();
  c.map_input_records.Add(resp.rows());
  c.map_input_bytes.Add(spec.split().length());
  auto get = [&](const char* name) -> uint64_t {
    auto it = resp.counters().find(name);
    return it == resp.counters().end() ? 0 : static_cast<uint64_t>(it->second);
  };
  c.bytes_read_local.Add(get("ml_bytes_read_local"));
  c.bytes_read_remote.Add(get("ml_bytes_read_remote"));
  rt.set_progress(1.0f);
  rt.set_phase("loaded");
  outcome.ml_worker_address = *address;
  return outcome;
}

}  // namespace cairn::ml
