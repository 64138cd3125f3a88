#include "compute/ml/worker/ml_worker.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/delegation_token.h"
#include "common/grpc_status.h"
#include "common/path.h"
#include "compute/ml/backend.h"
#include "compute/ml/dataset.h"
#include "compute/ml/ops.h"
#include "compute/runtime/split_input.h"
#include "compute/runtime/task_counters.h"

namespace cairn::ml {

namespace {
// The worker's own failures. Its Unavailable (say, the namenode is unreachable) must not
// read as the worker being unreachable, which makes the job master reload its partitions.
grpc::Status WorkerError(const Status& st) {
  if (st.code() == ErrorCode::kUnavailable) return grpc::Status(grpc::StatusCode::ABORTED, st.ToString());
  return ToGrpcStatus(st);
}

// Bytes read by the loads of the calling handler (Load or Compute), for its counters.
thread_local int64_t* tl_bytes_local = nullptr;
thread_local int64_t* tl_bytes_remote = nullptr;
}  // namespace

MlWorker::MlWorker(const MlWorkerSettings& settings)
    : settings_(settings), cache_(settings.cache_bytes, [this](const MlLoadRequest& r) { return ReadSplit(r); }) {}

Result<std::unique_ptr<MlWorker>> MlWorker::Create(const MlWorkerSettings& settings) {
  std::unique_ptr<MlWorker> w(new MlWorker(settings));
  if (settings.backend == "cpu") {
    w->kernels_ = MakeCpuKernels(settings.threads);
  } else {
    ASSIGN_OR_RETURN(w->kernels_, ChooseKernels(settings.backend));
  }
  w->backend_name_ = w->kernels_->name();
  if (!settings.dir.empty()) {
    auto inbox = compute::DescriptorInbox::Listen(settings.dir + "/" + kMlWorkerReplicaSocket);
    if (inbox.ok()) w->replicas_ = std::move(*inbox);
    else spdlog::warn("no local replica reads: {}", inbox.status().ToString());
  }
  return w;
}

Result<client::FileSystem*> MlWorker::Fs() {
  std::lock_guard lock(fs_mu_);
  if (!fs_) {
    if (!identity_) return Unavailable("the worker does not know the namenode yet");
    client::ClientOptions options;
    options.namenode = identity_->namenode();
    options.user = identity_->user();
    options.tls_ca_file = identity_->tls_ca_file();
    if (!identity_->delegation_token().empty()) {
      ASSIGN_OR_RETURN(options.delegation_token, ParseSerializedToken(identity_->delegation_token()));
    }
    ASSIGN_OR_RETURN(fs_, client::FileSystem::Connect(options));
  }
  return fs_.get();
}

Result<std::shared_ptr<const Partition>> MlWorker::ReadSplit(const MlLoadRequest& req) {
  compute::TaskCounters counters;
  // Descriptor numbers from a caller mean nothing in this process; the ones passed over the
  // inbox under the request's key do (once: a re-read goes through a datanode).
  InputSplit split = req.split();
  split.clear_local_block_fd();
  split.clear_local_meta_fd();
  std::vector<int> fds;
  if (replicas_ && !req.local_replica_key().empty()) fds = replicas_->Take(req.local_replica_key());
  struct CloseAll {
    std::vector<int>& fds;
    ~CloseAll() {
      for (int fd : fds) ::close(fd);
    }
  } close_all{fds};
  if (fds.size() == 2) {
    split.set_local_block_fd(fds[0]);
    split.set_local_meta_fd(fds[1]);
  }
  compute::SplitInput input(std::move(split), [this] { return Fs(); }, &counters);
  const InputSplit& s = req.split();
  ASSIGN_OR_RETURN(std::shared_ptr<Partition> p, ReadPartition(&input, s.path(), s.start(), s.start() + s.length(),
                                                               s.file_length(), req.format(), req.partition()));
  if (tl_bytes_local != nullptr) *tl_bytes_local += static_cast<int64_t>(counters.bytes_read_local.Get());
  if (tl_bytes_remote != nullptr) *tl_bytes_remote += static_cast<int64_t>(counters.bytes_read_remote.Get());
  return std::shared_ptr<const Partition>(std::move(p));
}

Status MlWorker::WritePredictions(const std::string& dir, int32_t partition, std::string_view text) {
  ASSIGN_OR_RETURN(client::FileSystem * fs, Fs());
  client::CreateOptions options;
  options.overwrite = true;
  const std::string path = JoinPath(dir, fmt::format("part-m-{:05d}", partition));
  ASSIGN_OR_RETURN(std::unique_ptr<client::OutputStream> out, fs->Create(path, options));
  RETURN_IF_ERROR(out->Write(text.data(), text.size()).WithContext("writing " + path));
  return out->Close().WithContext("closing " + path);
}

grpc::Status MlWorker::Load(grpc::ServerContext*, const MlLoadRequest* req, MlLoadResponse* resp) {
  {
    // Predictions are written through the file system even when every read was local.
    std::lock_guard lock(fs_mu_);
    if (!identity_ && !req->namenode().empty()) {
      identity_ = *req;
      identity_->clear_split();
    }
  }
  int64_t local = 0, remote = 0;
  tl_bytes_local = &local;
  tl_bytes_remote = &remote;
  auto p = cache_.Load(*req);
  tl_bytes_local = tl_bytes_remote = nullptr;
  if (!p.ok()) return WorkerError(p.status());
  resp->set_rows((*p)->rows());
  (*resp->mutable_counters())["ml_bytes_read_local"] = local;
  (*resp->mutable_counters())["ml_bytes_read_remote"] = remote;
  (*resp->mutable_counters())["ml_rows_loaded"] = static_cast<int64_t>((*p)->rows());
  return grpc::Status::OK;
}

grpc::Status MlWorker::Compute(grpc::ServerContext* ctx, const MlComputeRequest* req, MlPartial* resp) {
  std::lock_guard lock(compute_mu_);
  int64_t hits = 0, misses = 0, local = 0, remote = 0;
  tl_bytes_local = &local;
  tl_bytes_remote = &remote;
  struct Reset {
    ~Reset() { tl_bytes_local = tl_bytes_remote = nullptr; }
  } reset;
  PredictionWriter writer = [this](const std::string& dir, int32_t part, std::string_view text) {
    return WritePredictions(dir, part, text);
  };
  for (int32_t index : req->partitions()) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "the step was cancelled");
    bool hit = false;
    auto p = cache_.Get(index, &hit);
    if (!p.ok()) return WorkerError(p.status());
    (hit ? hits : misses) += 1;
    Status st = RunOp(req->command(), **p, *kernels_, writer, resp);
    if (!st.ok()) return WorkerError(st.WithContext(fmt::format("partition {}", index)));
  }
  auto& c = *resp->mutable_counters();
  c["ml_cache_hits"] += hits;
  c["ml_cache_misses"] += misses;
  if (local > 0) c["ml_bytes_read_local"] += local;
  if (remote > 0) c["ml_bytes_read_remote"] += remote;
  return grpc::Status::OK;
}

}  // namespace cairn::ml
